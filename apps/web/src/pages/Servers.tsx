import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { ServerStatus } from '../api';
import { QueryState } from '../components/QueryState';
import { formatDate, formatMoney } from '../money';
import { queries } from '../queries';
import { PageTitle } from '../ui';
import { STATUS_LABELS } from '../components/server/server-api';

/** Statuses that change on their own: the page asks again every few seconds while one is shown. */
const MOVING: ServerStatus[] = ['awaiting_funds', 'provisioning'];

export function Servers() {
  const servers = useQuery({
    ...queries.servers(),
    refetchInterval: (q) => (q.state.data?.servers.some((s) => MOVING.includes(s.status)) ? 3000 : false),
  });
  return (
    <section>
      <PageTitle>Servers</PageTitle>
      <QueryState
        query={servers}
        what="servers"
        isEmpty={(d) => d.servers.length === 0}
        empty={
          <p>
            You have no servers yet. <Link href="/deploy">Deploy one</Link>.
          </p>
        }
      >
        {(d) => (
          <div className="table-wrap">
            <table className="stack-narrow">
              <caption className="sr-only">Your servers</caption>
              <thead>
                <tr>
                  <th scope="col">Hostname</th>
                  <th scope="col">Status</th>
                  <th scope="col">IP address</th>
                  <th scope="col">Paid until</th>
                  <th scope="col" className="num">
                    Monthly
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.servers.map((s) => (
                  <tr key={s.id} data-testid={`server-${s.id}`}>
                    <td data-label="Hostname">
                      <Link href={`/servers/${s.id}`}>{s.hostname}</Link>
                    </td>
                    <td data-label="Status">
                      {STATUS_LABELS[s.status]}
                      {s.cancelAtPeriodEnd && s.status !== 'terminated' && (
                        <>
                          {' '}
                          <span className="tag" data-testid={`ends-${s.id}`}>
                            Ends {s.paidUntil ? formatDate(s.paidUntil) : 'at period end'}
                          </span>
                        </>
                      )}
                    </td>
                    <td data-label="IP address">{s.ipAddress ?? '—'}</td>
                    <td data-label="Paid until">{s.paidUntil ? formatDate(s.paidUntil) : '—'}</td>
                    <td data-label="Monthly" className="num">
                      {formatMoney(s.priceMonthlyCents, s.currency)}
                      {s.scheduledPrice && (
                        <small>
                          {' '}
                          → {formatMoney(s.scheduledPrice.amountCents, s.currency)} from{' '}
                          {formatDate(s.scheduledPrice.fromDate)}
                        </small>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryState>
    </section>
  );
}
