import { useInfiniteQuery } from '@tanstack/react-query';
import { Transaction } from '../api';
import { formatDate, formatMoney, formatSignedMoney, TRANSACTION_LABELS } from '../money';
import { queries } from '../queries';
import { QueryState } from './QueryState';

/** A ledger, newest first, a page at a time: the customer's own or (admin) any user's. */
export function History({ path, currency }: { path: string; currency: string }) {
  const history = useInfiniteQuery(queries.transactions(path));
  return (
    <QueryState
      query={history}
      what="history"
      isEmpty={(d) => d.pages.every((p) => p.transactions.length === 0)}
      empty={<p className="muted">No transactions yet.</p>}
    >
      {(data) => (
        <>
          <Rows rows={data.pages.flatMap((p) => p.transactions)} currency={currency} />
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
      )}
    </QueryState>
  );
}

function Rows({ rows, currency }: { rows: Transaction[]; currency: string }) {
  return (
    <div className="table-wrap">
      <table data-testid="history" className="stack-narrow">
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
              <td data-label="Date">{formatDate(t.createdAt)}</td>
              <td data-label="Type">{TRANSACTION_LABELS[t.type] ?? t.type}</td>
              <td data-label="Details">{t.reason ?? ''}</td>
              <td data-label="Amount" className={`num ${t.amountCents < 0 ? 'negative' : 'positive'}`}>
                {formatSignedMoney(t.amountCents, currency)}
              </td>
              <td data-label="Balance" className="num">
                {formatMoney(t.balanceAfterCents, currency)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
