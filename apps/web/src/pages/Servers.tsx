import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { Link } from 'wouter';
import { api, ServerEventView, ServerStatus, ServerView } from '../api';
import { formatDate, formatMoney } from '../money';
import { ErrorMessage, Loading, PageTitle } from '../ui';

/** Statuses that change on their own: the page asks again every few seconds while one is shown. */
const MOVING: ServerStatus[] = ['awaiting_funds', 'provisioning'];

export const STATUS_LABELS: Record<ServerStatus, string> = {
  awaiting_funds: 'Waiting for your payment',
  provisioning: 'Being set up',
  active: 'Running',
  suspended: 'Suspended',
  failed: 'Could not be set up',
  terminated: 'Deleted',
  cancelled: 'Cancelled',
};

/** "the top-up expired" → "The top-up expired." */
const sentence = (text: string) =>
  `${text.charAt(0).toUpperCase()}${text.slice(1)}${/[.!?]$/.test(text) ? '' : '.'}`;

function StatusNote({ server }: { server: ServerView }) {
  switch (server.status) {
    case 'failed':
      return (
        <p className="notice error">
          {server.failureReason ?? 'Setting up this server failed.'} The first month was refunded to your
          wallet.
        </p>
      );
    case 'suspended':
      return server.suspendReason === 'overdue' ? (
        <p className="notice error">
          The renewal is unpaid. <Link href="/wallet">Top up your wallet</Link> and the server is unsuspended
          automatically.
        </p>
      ) : (
        <p className="notice error">Suspended by our team. Please contact support.</p>
      );
    case 'cancelled':
      // Its own payment arrived after the wallet had been spent on something else: the reason says it all.
      if (server.cancelReason === 'payment_short')
        return (
          <p className="notice" data-testid="payment-short">
            {server.failureReason ?? 'Your payment arrived, but your balance no longer covered this server.'}{' '}
            <Link href="/wallet">See your wallet</Link>. Nothing was charged for the server.
          </p>
        );
      return server.topup?.status === 'credited' ? (
        <p className="notice" data-testid="late-payment">
          This deploy was cancelled before your payment of{' '}
          {formatMoney(server.topup.amountCents, server.currency)} arrived: the credit is in your{' '}
          <Link href="/wallet">wallet</Link>. Nothing was charged for the server.
        </p>
      ) : (
        <p className="notice">{sentence(server.failureReason ?? 'cancelled')} Nothing was charged.</p>
      );
    case 'awaiting_funds':
      // Paid: for a moment the deploy is being started (or cancelled, if the balance no longer covers it).
      if (server.topup?.status === 'credited')
        return (
          <p className="notice" data-testid="payment-arrived">
            Your payment of {formatMoney(server.topup.amountCents, server.currency)} arrived; starting the
            deploy… this page updates by itself.
          </p>
        );
      return server.topup ? (
        <p className="notice">
          Waiting for your payment of {formatMoney(server.topup.amountCents, server.currency)}. The server is
          deployed as soon as it arrives.
        </p>
      ) : (
        <p className="notice">Deploys as soon as your top-up arrives.</p>
      );
    case 'provisioning':
      return <p className="notice">Setting up… this page updates by itself.</p>;
    case 'active':
      return server.overdueSince ? (
        <p className="notice error">
          The renewal due {formatDate(server.overdueSince)} is unpaid: <Link href="/wallet">top up</Link> to
          keep the server running.
        </p>
      ) : null;
    case 'terminated':
      return null;
  }
}

export function Servers() {
  const servers = useQuery({
    queryKey: ['servers'],
    queryFn: () => api.get<{ servers: ServerView[] }>('/api/servers'),
    refetchInterval: (q) => (q.state.data?.servers.some((s) => MOVING.includes(s.status)) ? 3000 : false),
  });
  return (
    <section>
      <PageTitle>Servers</PageTitle>
      {servers.isPending ? (
        <Loading what="servers" />
      ) : servers.error ? (
        <ErrorMessage error={servers.error} />
      ) : servers.data.servers.length === 0 ? (
        <p>
          You have no servers yet. <Link href="/deploy">Deploy one</Link>.
        </p>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Your servers</caption>
            <thead>
              <tr>
                <th scope="col">Hostname</th>
                <th scope="col">Status</th>
                <th scope="col">IP address</th>
                <th scope="col">Paid until</th>
                <th scope="col" className="num">
                  Monthly
                </th>
              </tr>
            </thead>
            <tbody>
              {servers.data.servers.map((s) => (
                <tr key={s.id} data-testid={`server-${s.id}`}>
                  <td>
                    <Link href={`/servers/${s.id}`}>{s.hostname}</Link>
                  </td>
                  <td>{STATUS_LABELS[s.status]}</td>
                  <td>{s.ipAddress ?? '—'}</td>
                  <td>{s.paidUntil ? formatDate(s.paidUntil) : '—'}</td>
                  <td className="num">
                    {formatMoney(s.priceMonthlyCents, s.currency)}
                    {s.scheduledPrice && (
                      <small>
                        {' '}
                        → {formatMoney(s.scheduledPrice.amountCents, s.currency)} from{' '}
                        {formatDate(s.scheduledPrice.fromDate)}
                      </small>
                    )}
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

/**
 * Stripe's Cancel leads here with ?checkout=cancelled&token=…: the waiting deploy is cancelled at
 * once, with the token that proves the link is Stripe's. Any other link (no token, a wrong one)
 * cancels nothing: the page shows the waiting deploy with its Pay now and Cancel buttons.
 */
function cancelLinkToken(): string | null {
  const params = new URLSearchParams(window.location.search);
  return params.get('checkout') === 'cancelled' ? params.get('token') || null : null;
}

export function ServerDetail({ id }: { id: string }) {
  const queryClient = useQueryClient();
  const server = useQuery({
    queryKey: ['server', id],
    queryFn: () => api.get<{ server: ServerView; events: ServerEventView[] }>(`/api/servers/${id}`),
    refetchInterval: (q) => (q.state.data && MOVING.includes(q.state.data.server.status) ? 2000 : false),
  });
  const cancel = useMutation({
    mutationFn: () => api.post<{ server: ServerView }>(`/api/servers/${id}/cancel`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['server', id] }),
  });
  // The cancel on arrival from Stripe's cancel_url; its failure (a forged link) shows nothing.
  const cancelOnArrival = useMutation({
    mutationFn: (token: string) => api.post<{ server: ServerView }>(`/api/servers/${id}/cancel`, { token }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['server', id] }),
  });
  const linkToken = useRef(cancelLinkToken());
  const cancelledOnArrival = useRef(false);
  useEffect(() => {
    if (!linkToken.current || cancelledOnArrival.current) return;
    cancelledOnArrival.current = true;
    cancelOnArrival.mutate(linkToken.current);
  }, [cancelOnArrival]);
  if (server.isPending) return <Loading what="the server" />;
  if (server.error) return <ErrorMessage error={server.error} />;
  const s = server.data.server;
  return (
    <section>
      <PageTitle>{s.hostname}</PageTitle>
      <p role="status" data-testid="server-status">
        {STATUS_LABELS[s.status]}
      </p>
      {cancelOnArrival.isSuccess && s.status === 'cancelled' && s.topup?.status !== 'credited' ? (
        <p className="notice" data-testid="checkout-cancelled">
          You cancelled the payment, so this deploy is cancelled. Nothing was charged.
        </p>
      ) : (
        <StatusNote server={s} />
      )}
      {s.status === 'awaiting_funds' && (
        <p>
          {s.topup?.checkoutUrl && (
            <a className="button" href={s.topup.checkoutUrl}>
              Pay now
            </a>
          )}{' '}
          <button
            type="button"
            className="secondary"
            disabled={cancel.isPending}
            onClick={() => cancel.mutate()}
          >
            Cancel
          </button>
        </p>
      )}
      <ErrorMessage error={cancel.error} />
      <dl className="details">
        <dt>IP address</dt>
        <dd>{s.ipAddress ?? '—'}</dd>
        <dt>Monthly price</dt>
        <dd data-testid="server-price">{formatMoney(s.priceMonthlyCents, s.currency)}</dd>
        {s.scheduledPrice && (
          <>
            <dt>New monthly price</dt>
            <dd data-testid="server-scheduled-price">
              {formatMoney(s.scheduledPrice.amountCents, s.currency)} from the renewal on{' '}
              {formatDate(s.scheduledPrice.fromDate)}
            </dd>
          </>
        )}
        <dt>Paid until</dt>
        <dd>{s.paidUntil ? formatDate(s.paidUntil) : '—'}</dd>
        <dt>Ordered</dt>
        <dd>{formatDate(s.createdAt)}</dd>
      </dl>
      <h2>History</h2>
      <ul>
        {server.data.events.map((e, i) => (
          <li key={i}>
            <time dateTime={e.at}>{formatDate(e.at)}</time> {e.type.replace(/_/g, ' ')}
            {e.detail ? ` — ${e.detail}` : ''}
          </li>
        ))}
      </ul>
      <p>
        <Link href="/servers">All servers</Link>
      </p>
    </section>
  );
}
