import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { api, ServerStatus, ServerView } from '../api';
import { formatDate, formatMoney } from '../money';
import { ErrorMessage, Loading, PageTitle } from '../ui';
import { STATUS_LABELS } from '../components/server/server-api';

/** Statuses that change on their own: the page asks again every few seconds while one is shown. */
const MOVING: ServerStatus[] = ['awaiting_funds', 'provisioning'];

export function Servers() {
  const servers = useQuery({
    queryKey: ['servers'],
    queryFn: () => api.get<{ servers: ServerView[] }>('/api/servers'),
    refetchInterval: (q) => (q.state.data?.servers.some((s) => MOVING.includes(s.status)) ? 3000 : false),
  });
  return (
    <section>
      <PageTitle>Servers</PageTitle>
      {servers.isPending ? (
        <Loading what="servers" />
      ) : servers.error ? (
        <ErrorMessage error={servers.error} />
      ) : servers.data.servers.length === 0 ? (
        <p>
          You have no servers yet. <Link href="/deploy">Deploy one</Link>.
        </p>
      ) : (
        <div className="table-wrap">
          <table>
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
              {servers.data.servers.map((s) => (
                <tr key={s.id} data-testid={`server-${s.id}`}>
                  <td>
                    <Link href={`/servers/${s.id}`}>{s.hostname}</Link>
                  </td>
                  <td>
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
                  <td>{s.ipAddress ?? '—'}</td>
                  <td>{s.paidUntil ? formatDate(s.paidUntil) : '—'}</td>
                  <td className="num">
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
    </section>
  );
}
