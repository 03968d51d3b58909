import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { ApiError } from '../api';
import { queries } from '../queries';
import { formatMoney } from '../money';
import { ErrorMessage, PageTitle } from '../ui';

/**
 * Where Stripe sends the customer back. It never credits and never claims success on its own: it
 * asks the server until the server reports the top-up credited (by the verified webhook), failed
 * or expired.
 */
export function TopupReturn({ sessionId, pollMs = 1500 }: { sessionId: string | null; pollMs?: number }) {
  const topup = useQuery({
    ...queries.topup(sessionId),
    // Also while the credit's deploy is being decided (started, or cancelled when the balance no
    // longer covers it): the page says which, never a guess.
    refetchInterval: (q) =>
      q.state.data?.status === 'pending' ||
      (q.state.data?.status === 'credited' && q.state.data.serverStatus === 'awaiting_funds') ||
      q.state.error
        ? pollMs
        : false,
    retry: (count, err) => !(err instanceof ApiError && err.status === 404) && count < 3,
    retryDelay: pollMs,
  });
  const credited = topup.data?.status === 'credited';
  const wallet = useQuery({ ...queries.wallet(), enabled: credited });

  if (!sessionId) {
    return (
      <section className="narrow">
        <PageTitle>Top-up</PageTitle>
        <p>This link has no payment session. Your wallet shows every top-up that has arrived.</p>
        <Link href="/wallet">Back to your wallet</Link>
      </section>
    );
  }
  const status = topup.data?.status;
  return (
    <section className="narrow">
      <PageTitle>Top-up</PageTitle>
      <div
        aria-live="polite"
        data-testid="topup-state"
        data-status={status ?? (topup.error ? 'error' : 'loading')}
      >
        {topup.error instanceof ApiError && topup.error.status === 404 ? (
          <p className="notice error" role="alert">
            We cannot find this top-up for your account.
          </p>
        ) : topup.error ? (
          <ErrorMessage error={topup.error} />
        ) : !topup.data ? (
          <p role="status">Checking your payment…</p>
        ) : status === 'pending' ? (
          <p role="status" className="notice">
            Payment received — adding credit… This page updates by itself.
          </p>
        ) : status === 'credited' ? (
          <div className="notice success">
            <p>
              <strong>{formatMoney(topup.data.amountCents, topup.data.currency)}</strong> has been added to
              your wallet.
            </p>
            {wallet.data && (
              <p>
                New balance:{' '}
                <strong data-testid="new-balance">
                  {formatMoney(wallet.data.balanceCents, wallet.data.currency)}
                </strong>
              </p>
            )}
            {topup.data.serverId &&
              (topup.data.serverStatus === 'awaiting_funds' ? (
                <p data-testid="deploy-state" role="status">
                  Starting the deploy it was for…
                </p>
              ) : topup.data.serverStatus === 'cancelled' &&
                topup.data.serverCancelReason === 'payment_short' ? (
                <p data-testid="deploy-state">
                  Your balance no longer covered the server it was for, so that deploy was cancelled: the
                  money is in your wallet. Deploy again when you are ready.{' '}
                  <Link href={`/servers/${topup.data.serverId}`}>See the cancelled server</Link>
                </p>
              ) : topup.data.serverStatus === 'cancelled' ? (
                <p data-testid="deploy-state">
                  The deploy it was for had been cancelled, so the credit stays in your wallet.{' '}
                  <Link href={`/servers/${topup.data.serverId}`}>See the cancelled server</Link>
                </p>
              ) : (
                <p data-testid="deploy-state">
                  Your server is being deployed with it.{' '}
                  <Link href={`/servers/${topup.data.serverId}`}>Go to your server</Link>
                </p>
              ))}
          </div>
        ) : status === 'failed' ? (
          <p className="notice error" role="alert">
            The payment of {formatMoney(topup.data.amountCents, topup.data.currency)} failed. Nothing was
            added to your wallet and you were not charged.
          </p>
        ) : (
          <p className="notice" role="alert">
            This checkout expired before it was paid. Nothing was added to your wallet.
          </p>
        )}
      </div>
      <p>
        <Link href="/wallet">Back to your wallet</Link>
      </p>
    </section>
  );
}
