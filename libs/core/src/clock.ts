/** What time it is. Injected so that renewals, grace periods and leases can be tested without waiting. */
export interface Clock {
  now(): Date;
}

/** Injection token for the Clock (an interface has no runtime value). */
export const CLOCK = Symbol('CLOCK');

export const systemClock: Clock = { now: () => new Date() };

/**
 * `start` plus `months` calendar months, clamped to the month's last day: a server deployed on
 * 31 January renews on 28 (or 29) February, then 31 March. Always counted from the anchor, so the
 * day of month never drifts.
 */
export function addMonths(start: Date, months: number): Date {
  const d = new Date(start.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, lastDay));
  return d;
}
