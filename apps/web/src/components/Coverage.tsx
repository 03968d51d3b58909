import { WalletView } from '../api';
import { formatDate, formatMoney } from '../money';

/** "Your balance covers your servers until …", and a warning when the next renewal does not fit. */
export function Coverage({ wallet }: { wallet: WalletView }) {
  const c = wallet.coverage;
  if (!c?.nextRenewal) return null;
  const money = (cents: number) => formatMoney(cents, wallet.currency);
  if (!c.coversNextRenewal) {
    const short = c.nextRenewal.amountCents - wallet.balanceCents;
    return (
      <div className="notice error" role="alert" data-testid="coverage">
        <p>
          Your balance does not cover the next renewal: {money(c.nextRenewal.amountCents)} on{' '}
          {formatDate(c.nextRenewal.at)}.
        </p>
        <p>Top up at least {money(short)} before then to keep your servers running.</p>
      </div>
    );
  }
  return (
    <p className="notice" data-testid="coverage">
      {c.coveredUntil
        ? `Your balance covers your servers until ${formatDate(c.coveredUntil)}. Top up before then to keep them running.`
        : `Your balance covers your servers for more than ${c.horizonMonths} months.`}
    </p>
  );
}
