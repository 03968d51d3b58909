/** Money is integer cents from the server; the browser only formats it, with Intl. */

const formatters = new Map<string, Intl.NumberFormat>();

function formatter(currency: string, signed: boolean): Intl.NumberFormat {
  const key = `${currency}:${signed}`;
  let f = formatters.get(key);
  if (!f) {
    // 'en' spells the Australian dollar A$, so the symbol is never mistaken for US dollars.
    f = new Intl.NumberFormat('en', {
      style: 'currency',
      currency: currency.toUpperCase(),
      signDisplay: signed ? 'exceptZero' : 'auto',
    });
    formatters.set(key, f);
  }
  return f;
}

/** 2500, 'aud' → "A$25.00"; never "-" or "NaN": a missing amount is the caller's to handle. */
export function formatMoney(cents: number, currency: string): string {
  if (!Number.isSafeInteger(cents)) throw new TypeError(`not a whole number of cents: ${cents}`);
  return formatter(currency, false).format(cents / 100);
}

/** A ledger amount with its sign: "+A$25.00", "-A$5.00". */
export function formatSignedMoney(cents: number, currency: string): string {
  if (!Number.isSafeInteger(cents)) throw new TypeError(`not a whole number of cents: ${cents}`);
  return formatter(currency, true).format(cents / 100);
}

/** "25", "25.5", "25.50" → 2550 cents; anything else (or more than two decimals) → null. */
export function parseDollars(input: string): number | null {
  const m = /^\s*\$?\s*(\d{1,9})(?:\.(\d{1,2}))?\s*$/.exec(input);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '0').padEnd(2, '0'));
}

export function formatDate(iso: string): string {
  return new Date(iso).toLocaleString('en-AU', { dateStyle: 'medium', timeStyle: 'short' });
}

export const TRANSACTION_LABELS: Record<string, string> = {
  topup: 'Top-up',
  bonus: 'Sign-up credit',
  admin_credit: 'Credit from support',
  admin_debit: 'Deduction by support',
  server_charge: 'Server charge',
  server_refund: 'Server refund',
  stripe_refund: 'Card refund',
  dispute_withdrawn: 'Payment disputed',
  dispute_reinstated: 'Dispute resolved',
};
