import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { QueryState } from '../../components/QueryState';
import { STATUS_LABELS } from '../../components/server/server-api';
import { formatDate, formatMoney } from '../../money';
import { queries } from '../../queries';
import { CARE_LABELS } from './AdminServers';

/** One customer's servers on their admin page, each linking to its own admin page. */
export function AdminUserServers({ userId }: { userId: number }) {
  const servers = useQuery(queries.adminUserServers(userId));
  return (
    <section aria-labelledby="user-servers">
      <h2 id="user-servers">Servers</h2>
      <QueryState
        query={servers}
        what="servers"
        isEmpty={(list) => list.length === 0}
        empty={<p className="muted">No servers.</p>}
      >
        {(list) => (
          <div className="table-wrap">
            <table data-testid="user-servers">
              <thead>
                <tr>
                  <th scope="col">Hostname</th>
                  <th scope="col">Plan</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="num">
                    Monthly
                  </th>
                  <th scope="col">Paid until</th>
                </tr>
              </thead>
              <tbody>
                {list.map((s) => (
                  <tr key={s.id} className={s.care.length ? 'attention' : undefined}>
                    <td>
                      <Link href={`/admin/servers/${s.id}`}>{s.hostname}</Link>
                    </td>
                    <td>{s.planName}</td>
                    <td>
                      {STATUS_LABELS[s.status]}
                      {s.care.length > 0 && (
                        <span className="small"> · {s.care.map((c) => CARE_LABELS[c] ?? c).join(', ')}</span>
                      )}
                    </td>
                    <td className="num">{formatMoney(s.priceMonthlyCents, s.currency)}</td>
                    <td>{s.paidUntil ? formatDate(s.paidUntil) : '—'}</td>
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
