import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { AdminNav } from '../../components/AdminNav';
import { QueryState } from '../../components/QueryState';
import { formatDate, formatMoney } from '../../money';
import { queries } from '../../queries';
import { PageTitle } from '../../ui';

export function AdminStripe() {
  const status = useQuery(queries.stripeStatus());
  const events = useQuery(queries.stripeEvents());
  return (
    <section>
      <AdminNav />
      <PageTitle>Stripe</PageTitle>
      <QueryState query={status} what="the Stripe status">
        {(st) => (
          <dl className="details">
            {st.signatureWarning && (
              <>
                <dt>Webhook signatures</dt>
                <dd className="error" role="alert">
                  {st.signatureWarning}
                </dd>
              </>
            )}
            <dt>Configured</dt>
            <dd>{st.configured ? `yes, ${st.mode} mode` : 'no'}</dd>
            <dt>Secret key</dt>
            <dd>{st.secretKey ?? '(not set)'}</dd>
            <dt>Publishable key</dt>
            <dd>{st.publishableKey ?? '(not set)'}</dd>
            <dt>Webhook secrets</dt>
            <dd>{st.webhookSecrets.join(', ') || '(not set)'}</dd>
            <dt>Webhook URL</dt>
            <dd>
              <code>{st.webhookUrl}</code>
            </dd>
            <dt>Last event</dt>
            <dd>
              {st.lastEvent
                ? `${st.lastEvent.type} (${st.lastEvent.outcome}) ${formatDate(st.lastEvent.receivedAt)}`
                : 'none received yet'}
            </dd>
            <dt>Last 24 hours</dt>
            <dd>
              {Object.entries(st.last24h)
                .map(([k, v]) => `${k}: ${v}`)
                .join(', ') || 'no events'}
            </dd>
            <dt>Refused deliveries, 24 hours</dt>
            <dd>
              {Object.entries(st.refusedDeliveries24h)
                .map(([k, v]) => `${k}: ${v}`)
                .join(', ') || 'none'}
            </dd>
            <dt>Installation</dt>
            <dd>
              <code>{st.installationId}</code>
            </dd>
            {st.problems.length > 0 && (
              <>
                <dt>Problems</dt>
                <dd className="error">{st.problems.join('; ')}</dd>
              </>
            )}
          </dl>
        )}
      </QueryState>
      <h2>Recent events</h2>
      <QueryState
        query={events}
        what="events"
        isEmpty={(d) => d.events.length === 0}
        empty={<p className="muted">No events received yet.</p>}
      >
        {(d) => (
          <div className="table-wrap">
            <table className="stack-narrow">
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
                {d.events.map((e) => (
                  <tr
                    key={e.eventId}
                    className={e.outcome === 'unmatched' || e.outcome === 'mismatch' ? 'attention' : ''}
                  >
                    <td data-label="Received">{formatDate(e.receivedAt)}</td>
                    <td data-label="Type">{e.type}</td>
                    <td data-label="Outcome">
                      {e.outcome === 'unmatched' || e.outcome === 'mismatch' ? (
                        <strong>⚠ {e.outcome}</strong>
                      ) : (
                        e.outcome
                      )}
                    </td>
                    <td data-label="Customer">
                      {e.stripeCustomerId ?? ''}
                      {e.customerEmail && <span className="small"> · {e.customerEmail}</span>}
                    </td>
                    <td data-label="User">
                      {e.userId ? <Link href={`/admin/users/${e.userId}`}>#{e.userId}</Link> : 'NOT FOUND'}
                    </td>
                    <td data-label="Amount" className="num">
                      {e.amountCents !== null && e.currency ? formatMoney(e.amountCents, e.currency) : ''}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryState>
    </section>
  );
}
