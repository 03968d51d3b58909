import type { WalletCoverage } from '@ozvps/contracts';
import { addMonths } from '@ozvps/core';
import type { Server } from './server.entity';

export const COVERAGE_HORIZON_MONTHS = 24;

type Renewing = Pick<
  Server,
  | 'status'
  | 'cancelAtPeriodEnd'
  | 'anchorAt'
  | 'periodsPaid'
  | 'priceMonthlyCents'
  | 'nextPriceCents'
  | 'nextPriceFrom'
>;

/**
 * Walks the renewal schedule as RenewalsService charges it (each running or suspended server
 * not cancelled at period end renews at anchor + n months, at its own price or its scheduled one
 * from `nextPriceFrom`), paying from `balanceCents` in date order until a charge does not fit.
 */
export function walletCoverage(
  balanceCents: number,
  servers: readonly Renewing[],
  now: Date,
  horizonMonths = COVERAGE_HORIZON_MONTHS,
): WalletCoverage {
  const horizon = addMonths(now, horizonMonths);
  const charges: { at: Date; amountCents: number }[] = [];
  for (const s of servers) {
    if (!['active', 'suspended'].includes(s.status) || s.cancelAtPeriodEnd || !s.anchorAt) continue;
    for (let period = s.periodsPaid; ; period++) {
      const at = addMonths(s.anchorAt, period);
      if (at > horizon) break;
      const scheduled = s.nextPriceCents !== null && s.nextPriceFrom !== null && at >= s.nextPriceFrom;
      charges.push({ at, amountCents: scheduled ? s.nextPriceCents! : s.priceMonthlyCents });
    }
  }
  charges.sort((a, b) => a.at.getTime() - b.at.getTime());
  const first = charges[0];
  let left = balanceCents;
  let coveredUntil: string | null = null;
  for (const c of charges) {
    if (c.amountCents > left) {
      coveredUntil = c.at.toISOString();
      break;
    }
    left -= c.amountCents;
  }
  return {
    nextRenewal: first ? { at: first.at.toISOString(), amountCents: first.amountCents } : null,
    coversNextRenewal: !first || first.amountCents <= balanceCents,
    coveredUntil,
    horizonMonths,
  };
}
