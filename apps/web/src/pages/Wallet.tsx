import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { FormEvent, useState } from 'react';
import { api, TransactionPage, WalletView } from '../api';
import { formatDate, formatMoney, formatSignedMoney, parseDollars, TRANSACTION_LABELS } from '../money';
import { ErrorMessage, Loading, PageTitle } from '../ui';

const PAGE = 20;

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
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const money = (c: number) => formatMoney(c, wallet.currency);

  async function go(cents: number | null) {
    setError(null);
    if (cents === null) return setError(new Error('Enter an amount in dollars and cents, like 25 or 25.50.'));
    if (cents < minCents || cents > maxCents)
      return setError(new Error(`Top-ups are from ${money(minCents)} to ${money(maxCents)}.`));
    setBusy(true);
    try {
      await startTopup(cents);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  if (!enabled) return <p className="muted">Card top-ups are not available on this panel yet.</p>;
  return (
    <div className="stack">
      <div className="presets" role="group" aria-label="Top-up amounts">
        {presetsCents.map((c) => (
          <button key={c} type="button" className="secondary" disabled={busy} onClick={() => void go(c)}>
            Add {money(c)}
          </button>
        ))}
      </div>
      <form
        className="inline"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          void go(parseDollars(custom));
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
      <ErrorMessage error={error} />
    </div>
  );
}

export function History({ path, currency }: { path: string; currency: string }) {
  const history = useInfiniteQuery({
    queryKey: ['transactions', path],
    queryFn: ({ pageParam }) =>
      api.get<TransactionPage>(`${path}?limit=${PAGE}${pageParam ? `&before=${pageParam}` : ''}`),
    initialPageParam: 0,
    getNextPageParam: (last) => (last.transactions.length === PAGE ? last.nextBefore : undefined),
  });
  if (history.isPending) return <Loading what="history" />;
  if (history.error) return <ErrorMessage error={history.error} />;
  const rows = history.data.pages.flatMap((p) => p.transactions);
  if (rows.length === 0) return <p className="muted">No transactions yet.</p>;
  return (
    <>
      <div className="table-wrap">
        <table data-testid="history">
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">Type</th>
              <th scope="col">Details</th>
              <th scope="col" className="num">
                Amount
              </th>
              <th scope="col" className="num">
                Balance
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((t) => (
              <tr key={t.id}>
                <td>{formatDate(t.createdAt)}</td>
                <td>{TRANSACTION_LABELS[t.type] ?? t.type}</td>
                <td>{t.reason ?? ''}</td>
                <td className={`num ${t.amountCents < 0 ? 'negative' : 'positive'}`}>
                  {formatSignedMoney(t.amountCents, currency)}
                </td>
                <td className="num">{formatMoney(t.balanceAfterCents, currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {history.hasNextPage && (
        <button
          type="button"
          className="secondary"
          disabled={history.isFetchingNextPage}
          onClick={() => void history.fetchNextPage()}
        >
          Show older
        </button>
      )}
    </>
  );
}

export function useWallet() {
  return useQuery({ queryKey: ['wallet'], queryFn: () => api.get<WalletView>('/api/wallet') });
}

export function Wallet() {
  const wallet = useWallet();
  const cancelled = new URLSearchParams(window.location.search).get('topup') === 'cancelled';
  return (
    <section>
      <PageTitle>Wallet</PageTitle>
      {cancelled && (
        <p className="notice" role="status">
          Top-up cancelled. Nothing was charged.
        </p>
      )}
      {wallet.isPending ? (
        <Loading what="your wallet" />
      ) : wallet.error ? (
        <ErrorMessage error={wallet.error} />
      ) : (
        <>
          <div className="cards">
            <div className="card">
              <span className="muted">Balance</span>
              <strong data-testid="balance">
                {formatMoney(wallet.data.balanceCents, wallet.data.currency)}
              </strong>
            </div>
            <div className="card">
              <span className="muted">Total topped up</span>
              <strong>{formatMoney(wallet.data.summary.toppedUpCents, wallet.data.currency)}</strong>
            </div>
            <div className="card">
              <span className="muted">Total spent</span>
              <strong>{formatMoney(wallet.data.summary.spentCents, wallet.data.currency)}</strong>
            </div>
            <div className="card">
              <span className="muted">Active servers</span>
              <strong>{wallet.data.summary.activeServers}</strong>
            </div>
          </div>
          <h2>Top up</h2>
          <TopupForm wallet={wallet.data} />
          <h2>History</h2>
          <History path="/api/wallet/transactions" currency={wallet.data.currency} />
        </>
      )}
    </section>
  );
}
