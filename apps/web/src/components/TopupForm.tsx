import { useMutation } from '@tanstack/react-query';
import { FormEvent, useState } from 'react';
import { api, WalletView } from '../api';
import { formatMoney, parseDollars } from '../money';
import { ErrorMessage } from '../ui';

/** Starts a Stripe Checkout for `amountCents` and sends the browser there. */
export async function startTopup(amountCents: number): Promise<void> {
  const { checkoutUrl } = await api.post<{ sessionId: string; checkoutUrl: string }>('/api/wallet/topups', {
    amountCents,
  });
  window.location.assign(checkoutUrl);
}

export function TopupForm({ wallet, suggestedCents }: { wallet: WalletView; suggestedCents?: number }) {
  const { minCents, maxCents, presetsCents, enabled } = wallet.topup;
  const [custom, setCustom] = useState(suggestedCents ? (suggestedCents / 100).toFixed(2) : '');
  const [invalid, setInvalid] = useState<Error | null>(null);
  const money = (c: number) => formatMoney(c, wallet.currency);
  // Stays pending while the browser leaves for Stripe, so no second click starts a second checkout.
  const topup = useMutation({ mutationFn: startTopup });

  function go(cents: number | null) {
    setInvalid(null);
    topup.reset();
    if (cents === null)
      return setInvalid(
        new Error('Enter an amount in dollars and cents, like 25 or 25.50, then press Top up.'),
      );
    if (cents < minCents || cents > maxCents)
      return setInvalid(
        new Error(
          `Top-ups are from ${money(minCents)} to ${money(maxCents)}. Enter an amount in that range.`,
        ),
      );
    topup.mutate(cents);
  }

  if (!enabled) return <p className="muted">Card top-ups are not available on this panel yet.</p>;
  const busy = topup.isPending;
  return (
    <div className="stack">
      <div className="presets" role="group" aria-label="Top-up amounts">
        {presetsCents.map((c) => (
          <button key={c} type="button" className="secondary" disabled={busy} onClick={() => go(c)}>
            Add {money(c)}
          </button>
        ))}
      </div>
      <form
        className="inline"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          go(parseDollars(custom));
        }}
      >
        <label>
          Other amount ({wallet.currency.toUpperCase()})
          <input
            name="amount"
            inputMode="decimal"
            value={custom}
            onChange={(e) => setCustom(e.target.value)}
            aria-describedby="amount-help"
          />
        </label>
        <button type="submit" disabled={busy}>
          Top up
        </button>
      </form>
      <p id="amount-help" className="muted small">
        From {money(minCents)} to {money(maxCents)}. You pay on Stripe's secure page; the credit appears when
        Stripe confirms the payment.
      </p>
      <ErrorMessage error={invalid ?? topup.error} />
    </div>
  );
}
