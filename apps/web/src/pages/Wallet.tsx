import { useQuery } from '@tanstack/react-query';
import { useSearch } from 'wouter';
import { Coverage } from '../components/Coverage';
import { History } from '../components/History';
import { QueryState } from '../components/QueryState';
import { TopupForm } from '../components/TopupForm';
import { formatMoney } from '../money';
import { queries } from '../queries';
import { PageTitle } from '../ui';

export function Wallet() {
  const wallet = useQuery(queries.wallet());
  const cancelled = new URLSearchParams(useSearch()).get('topup') === 'cancelled';
  return (
    <section>
      <PageTitle>Wallet</PageTitle>
      {cancelled && (
        <p className="notice" role="status">
          Top-up cancelled. Nothing was charged.
        </p>
      )}
      <QueryState query={wallet} what="your wallet">
        {(w) => (
          <>
            <div className="cards">
              <div className="card">
                <span className="muted">Balance</span>
                <strong data-testid="balance">{formatMoney(w.balanceCents, w.currency)}</strong>
              </div>
              <div className="card">
                <span className="muted">Total topped up</span>
                <strong>{formatMoney(w.summary.toppedUpCents, w.currency)}</strong>
              </div>
              <div className="card">
                <span className="muted">Total spent</span>
                <strong>{formatMoney(w.summary.spentCents, w.currency)}</strong>
              </div>
              <div className="card">
                <span className="muted">Active servers</span>
                <strong>{w.summary.activeServers}</strong>
              </div>
            </div>
            <Coverage wallet={w} />
            <h2>Top up</h2>
            <TopupForm wallet={w} />
            <h2>History</h2>
            <History path="/api/wallet/transactions" currency={w.currency} />
          </>
        )}
      </QueryState>
    </section>
  );
}
