import { ValidationError } from './errors';

/** Largest amount the panel accepts in one operation, far below Number.MAX_SAFE_INTEGER. */
export const ABSOLUTE_MAX_CENTS = 1_000_000_000_00;

/**
 * Parses an amount of cents given by a person (CLI argument, form field). Only plain positive
 * integers are accepted: "5.00", "1e3", "-1", "0", " 12" and "0x10" are all refused, because a
 * person who typed them meant something we would have to guess.
 */
export function parseCents(input: string, maxCents: number, what = 'amount'): number {
  if (!/^[1-9][0-9]*$/.test(input)) {
    throw new ValidationError(
      `${what} must be a whole number of cents greater than zero, like 2500 for 25.00 (got "${truncate(input)}")`,
    );
  }
  const value = Number(input);
  if (!Number.isSafeInteger(value) || value > maxCents) {
    throw new ValidationError(`${what} ${truncate(input)} is above the maximum of ${maxCents} cents`);
  }
  return value;
}

/** Checks an amount that arrives already typed (service calls, JSON bodies). */
export function assertPositiveCents(value: unknown, maxCents = ABSOLUTE_MAX_CENTS, what = 'amount'): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new ValidationError(`${what} must be a positive whole number of cents`);
  }
  if (value > maxCents) {
    throw new ValidationError(`${what} ${value} is above the maximum of ${maxCents} cents`);
  }
  return value;
}

/** Formats cents for people: 123456 in aud -> "A$1,234.56" (en-US spells AUD as A$, en-AU as a bare $). */
export function formatCents(cents: number, currency: string): string {
  const amount = currencyFormat(currency.toUpperCase());
  // Integer division keeps floats off the money path; Intl only sees the final decimal string.
  const negative = cents < 0;
  const abs = Math.abs(cents);
  const text = amount.format(Number(`${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`));
  return negative ? `-${text}` : text;
}

/** Building an Intl.NumberFormat costs ~0.1 ms: a renewal run formats several amounts per server. */
const formats = new Map<string, Intl.NumberFormat>();
function currencyFormat(currency: string): Intl.NumberFormat {
  let format = formats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat('en-US', { style: 'currency', currency, currencyDisplay: 'symbol' });
    formats.set(currency, format);
  }
  return format;
}

function truncate(s: string): string {
  return s.length > 24 ? `${s.slice(0, 24)}…` : s;
}
