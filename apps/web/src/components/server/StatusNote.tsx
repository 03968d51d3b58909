import { Link } from 'wouter';
import { ServerView } from '../../api';
import { formatDate, formatMoney } from '../../money';

/** "the top-up expired" → "The top-up expired." */
const sentence = (text: string) =>
  `${text.charAt(0).toUpperCase()}${text.slice(1)}${/[.!?]$/.test(text) ? '' : '.'}`;

/** What the status means for the customer and what to do about it. */
export function StatusNote({ server }: { server: ServerView }) {
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
