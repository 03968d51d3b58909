import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { api } from '../../api';
import { AdminNav } from '../../components/AdminNav';
import { formatDate, formatMoney } from '../../money';
import { ErrorMessage, Loading, PageTitle } from '../../ui';

interface StripeStatus {
  configured: boolean;
  mode: 'test' | 'live' | null;
  secretKey: string | null;
  publishableKey: string | null;
  webhookSecrets: string[];
  keysAgree: boolean;
  webhookUrl: string;
  lastEvent: { eventId: string; type: string; outcome: string; receivedAt: string } | null;
  last24h: Record<string, number>;
  signatureFailures24h: number;
  refusedDeliveries24h: Record<string, number>;
  signatureWarning: string | null;
  installationId: string;
  problems: string[];
}

interface StripeEvent {
  eventId: string;
  type: string;
  outcome: string;
  userId: number | null;
  stripeCustomerId: string | null;
  amountCents: number | null;
  currency: string | null;
  receivedAt: string;
}

export function AdminStripe() {
  const status = useQuery({
    queryKey: ['stripe-status'],
    queryFn: () => api.get<StripeStatus>('/api/admin/stripe/status'),
  });
  const events = useQuery({
    queryKey: ['stripe-events'],
    queryFn: () => api.get<{ events: StripeEvent[] }>('/api/admin/stripe/events?limit=50'),
  });
  return (
    <section>
      <AdminNav />
      <PageTitle>Stripe</PageTitle>
      {status.isPending ? (
        <Loading what="the Stripe status" />
      ) : status.error ? (
        <ErrorMessage error={status.error} />
      ) : (
        <dl className="details">
          {status.data.signatureWarning && (
            <>
              <dt>Webhook signatures</dt>
              <dd className="error" role="alert">
                {status.data.signatureWarning}
              </dd>
            </>
          )}
          <dt>Configured</dt>
          <dd>{status.data.configured ? `yes, ${status.data.mode} mode` : 'no'}</dd>
          <dt>Secret key</dt>
          <dd>{status.data.secretKey ?? '(not set)'}</dd>
          <dt>Publishable key</dt>
          <dd>{status.data.publishableKey ?? '(not set)'}</dd>
          <dt>Webhook secrets</dt>
          <dd>{status.data.webhookSecrets.join(', ') || '(not set)'}</dd>
          <dt>Webhook URL</dt>
          <dd>
            <code>{status.data.webhookUrl}</code>
          </dd>
          <dt>Last event</dt>
          <dd>
            {status.data.lastEvent
              ? `${status.data.lastEvent.type} (${status.data.lastEvent.outcome}) ${formatDate(status.data.lastEvent.receivedAt)}`
              : 'none received yet'}
          </dd>
          <dt>Last 24 hours</dt>
          <dd>
            {Object.entries(status.data.last24h)
              .map(([k, v]) => `${k}: ${v}`)
              .join(', ') || 'no events'}
          </dd>
          <dt>Refused deliveries, 24 hours</dt>
          <dd>
            {Object.entries(status.data.refusedDeliveries24h)
              .map(([k, v]) => `${k}: ${v}`)
              .join(', ') || 'none'}
          </dd>
          <dt>Installation</dt>
          <dd>
            <code>{status.data.installationId}</code>
          </dd>
          {status.data.problems.length > 0 && (
            <>
              <dt>Problems</dt>
              <dd className="error">{status.data.problems.join('; ')}</dd>
            </>
          )}
        </dl>
      )}
      <h2>Recent events</h2>
      {events.isPending ? (
        <Loading what="events" />
      ) : events.error ? (
        <ErrorMessage error={events.error} />
      ) : events.data.events.length === 0 ? (
        <p className="muted">No events received yet.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Received</th>
                <th scope="col">Type</th>
                <th scope="col">Outcome</th>
                <th scope="col">Customer</th>
                <th scope="col">User</th>
                <th scope="col" className="num">
                  Amount
                </th>
              </tr>
            </thead>
            <tbody>
              {events.data.events.map((e) => (
                <tr
                  key={e.eventId}
                  className={e.outcome === 'unmatched' || e.outcome === 'mismatch' ? 'attention' : ''}
                >
                  <td>{formatDate(e.receivedAt)}</td>
                  <td>{e.type}</td>
                  <td>
                    {e.outcome === 'unmatched' || e.outcome === 'mismatch' ? (
                      <strong>⚠ {e.outcome}</strong>
                    ) : (
                      e.outcome
                    )}
                  </td>
                  <td>{e.stripeCustomerId ?? ''}</td>
                  <td>
                    {e.userId ? <Link href={`/admin/users/${e.userId}`}>#{e.userId}</Link> : 'NOT FOUND'}
                  </td>
                  <td className="num">
                    {e.amountCents !== null && e.currency ? formatMoney(e.amountCents, e.currency) : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
