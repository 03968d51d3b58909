import { addMonths } from '@ozvps/core';
import { Server } from './server.entity';

/**
 * The rules of renewals, in one place: RenewalsService applies them to the database hour by
 * hour, and the forecast (planRenewals) applies the same ones to what the database holds now to
 * say what those runs will do. A change of rule changes both, so the forecast cannot drift from
 * the job.
 */
export interface RenewalRules {
  /** GRACE_HOURS: an unpaid renewal suspends the server this long after it fell due. */
  readonly graceHours: number;
  /** TERMINATE_AFTER_DAYS: a server suspended for non-payment is deleted this long after. */
  readonly terminateAfterDays: number;
  /** FINAL_WARNING_DAYS: the owner's last warning, this long before the termination. */
  readonly finalWarningDays: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export type RenewableServer = Pick<
  Server,
  | 'id'
  | 'userId'
  | 'status'
  | 'paidUntil'
  | 'anchorAt'
  | 'periodsPaid'
  | 'priceMonthlyCents'
  | 'nextPriceCents'
  | 'nextPriceFrom'
  | 'overdueSince'
  | 'suspendedAt'
  | 'suspendReason'
  | 'cancelAtPeriodEnd'
>;

/** Whether a renewal run at `now` charges (or tries to charge) the server's next period. */
export function renewalIsDue(s: RenewableServer, now: Date): boolean {
  return (
    ['active', 'suspended'].includes(s.status) &&
    s.paidUntil !== null &&
    s.paidUntil <= now &&
    !s.cancelAtPeriodEnd
  );
}

/** A server its owner cancelled at the end of the paid period: ended, not charged, once that is over. */
export function cancelledPeriodIsOver(s: RenewableServer, now: Date): boolean {
  return (
    ['active', 'suspended'].includes(s.status) &&
    s.cancelAtPeriodEnd &&
    s.paidUntil !== null &&
    s.paidUntil <= now
  );
}

/** What the next renewal charges: a price change scheduled for it (or earlier) applies. */
export function priceAtNextRenewal(s: RenewableServer): number {
  return s.nextPriceCents !== null && s.nextPriceFrom !== null && s.nextPriceFrom <= s.paidUntil!
    ? s.nextPriceCents
    : s.priceMonthlyCents;
}

/** The end of paid period number `period` (months counted from the server's anchor). */
export function periodEnd(s: Pick<Server, 'anchorAt'>, period: number): Date {
  return addMonths(s.anchorAt!, period);
}

/** When a server whose renewal fell due unpaid at `overdueSince` is suspended. */
export function suspendsAt(overdueSince: Date, rules: RenewalRules): Date {
  return new Date(overdueSince.getTime() + rules.graceHours * HOUR_MS);
}

/** When a server suspended for non-payment at `suspendedAt` is terminated. */
export function terminatesAt(suspendedAt: Date, rules: RenewalRules): Date {
  return new Date(suspendedAt.getTime() + rules.terminateAfterDays * DAY_MS);
}

export type UnpaidStep = 'suspend' | 'terminate' | 'final_warning';

/** What a run at `now` does to a server whose renewal is unpaid (overdueSince set), if anything. */
export function unpaidStep(s: RenewableServer, now: Date, rules: RenewalRules): UnpaidStep | null {
  if (s.overdueSince === null) return null;
  if (s.status === 'active') return suspendsAt(s.overdueSince, rules) <= now ? 'suspend' : null;
  if (s.status === 'suspended' && s.suspendReason === 'overdue' && s.suspendedAt !== null) {
    const ends = terminatesAt(s.suspendedAt, rules).getTime();
    if (ends <= now.getTime()) return 'terminate';
    if (ends - rules.finalWarningDays * DAY_MS <= now.getTime()) return 'final_warning';
  }
  return null;
}

/** One renewal the runs up to the horizon will attempt, and whether the wallet covers it then. */
export interface PlannedRenewal {
  serverId: number;
  userId: number;
  /** When the run charges it: its due date, or `now` for one already due (the next run). */
  at: Date;
  period: number;
  amountCents: number;
  /** The wallet's balance before this renewal, after the earlier ones it covers. */
  balanceBeforeCents: number;
  /** Earlier renewals of the same wallet within the horizon that it covers first. */
  earlierRenewalsCents: number;
  covered: boolean;
  /** What is missing for this renewal (0 when covered). */
  shortfallCents: number;
}

export interface PlannedStep {
  serverId: number;
  userId: number;
  at: Date;
  /** overdue: the renewal unpaid; cancelled: the owner cancelled at the end of the paid period. */
  reason: 'overdue' | 'cancelled';
}

export interface RenewalPlan {
  renewals: PlannedRenewal[];
  suspensions: PlannedStep[];
  terminations: PlannedStep[];
}

/**
 * What the renewal runs between `now` and `until` will do to `servers` (active or suspended)
 * given their owners' `balances`: each wallet pays its renewals in date order (the earlier ones
 * first, as the hourly runs do), an unpaid one suspends its server after the grace period and
 * terminates it after TERMINATE_AFTER_DAYS, each step at the time the rules give — when that is
 * within the horizon. No money arriving in the meantime is assumed.
 */
export function planRenewals(
  servers: readonly RenewableServer[],
  balances: ReadonlyMap<number, number>,
  now: Date,
  until: Date,
  rules: RenewalRules,
): RenewalPlan {
  const plan: RenewalPlan = { renewals: [], suspensions: [], terminations: [] };
  const at = (d: Date) => (d < now ? now : d);
  const within = (d: Date) => d <= until;

  // Every renewal attempt in the horizon, each server's periods in turn while they are paid.
  type Attempt = { s: RenewableServer; due: Date; overdueSince: Date; period: number; price: number };
  const queue: Attempt[] = [];
  for (const s of servers) {
    if (!['active', 'suspended'].includes(s.status) || s.paidUntil === null) continue;
    if (s.cancelAtPeriodEnd) {
      if (within(at(s.paidUntil)))
        plan.terminations.push({
          serverId: s.id,
          userId: s.userId,
          at: at(s.paidUntil),
          reason: 'cancelled',
        });
    } else if (within(at(s.paidUntil))) {
      queue.push({
        s,
        due: at(s.paidUntil),
        // A run that finds it unpaid dates the debt from the end of the paid period, not the run.
        overdueSince: s.overdueSince ?? s.paidUntil,
        period: s.periodsPaid + 1,
        price: priceAtNextRenewal(s),
      });
    }
  }

  // A server's later periods are attempted only once the earlier one is paid: walk in date order.
  const balance = new Map<number, number>(balances);
  const spent = new Map<number, number>();
  while (queue.length > 0) {
    queue.sort((a, b) => a.due.getTime() - b.due.getTime() || a.s.id - b.s.id);
    const { s, due, overdueSince, period, price } = queue.shift()!;
    const before = balance.get(s.userId) ?? 0;
    const earlier = spent.get(s.userId) ?? 0;
    const covered = price <= before;
    plan.renewals.push({
      serverId: s.id,
      userId: s.userId,
      at: due,
      period,
      amountCents: price,
      balanceBeforeCents: before,
      earlierRenewalsCents: earlier,
      covered,
      shortfallCents: covered ? 0 : price - Math.max(before, 0),
    });
    if (covered) {
      balance.set(s.userId, before - price);
      spent.set(s.userId, earlier + price);
      // The period after, at the same price (a scheduled one is the server's own from this renewal).
      const next = periodEnd(s, period);
      if (within(next)) queue.push({ s, due: next, overdueSince: next, period: period + 1, price });
    } else {
      unpaid(s, overdueSince, due);
    }
  }

  /** The suspension and termination that follow an unpaid renewal attempted at `from`. */
  function unpaid(s: RenewableServer, overdueSince: Date, from: Date): void {
    let suspendedAt: Date;
    if (s.status === 'active') {
      const graceOver = suspendsAt(overdueSince, rules);
      suspendedAt = graceOver < from ? from : graceOver;
      if (!within(suspendedAt)) return;
      plan.suspensions.push({ serverId: s.id, userId: s.userId, at: suspendedAt, reason: 'overdue' });
    } else if (s.suspendReason === 'overdue' && s.suspendedAt !== null) {
      suspendedAt = s.suspendedAt;
    } else {
      return; // suspended by an admin: the renewals charge it but leave its state alone
    }
    const ends = at(terminatesAt(suspendedAt, rules));
    if (within(ends))
      plan.terminations.push({ serverId: s.id, userId: s.userId, at: ends, reason: 'overdue' });
  }

  const byTime = (a: { at: Date; serverId: number }, b: { at: Date; serverId: number }) =>
    a.at.getTime() - b.at.getTime() || a.serverId - b.serverId;
  plan.renewals.sort(byTime);
  plan.suspensions.sort(byTime);
  plan.terminations.sort(byTime);
  return plan;
}
