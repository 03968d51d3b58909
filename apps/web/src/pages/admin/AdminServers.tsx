import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { AdminServerRow, api, CareReason } from '../../api';
import { formatDate, formatMoney } from '../../money';
import { ErrorMessage, Loading, PageTitle } from '../../ui';
import { AdminNav } from '../../components/AdminNav';
import { readList, STATUS_LABELS } from '../../components/server/server-api';

export const CARE_LABELS: Record<CareReason, string> = {
  overdue: 'Overdue',
  suspended: 'Suspended',
  failed: 'Failed',
  provisioning_stuck: 'Stuck setting up',
  waiting: 'Waiting for payment',
};

/** Every server with its owner, plan and money; "Needs care" narrows to the ones to look at. */
export function AdminServers() {
  const [care, setCare] = useState(() => new URLSearchParams(window.location.search).get('care') === '1');
  const servers = useQuery({
    queryKey: ['admin-servers', care],
    queryFn: async () =>
      readList(
        await api.get<AdminServerRow[] | { servers: AdminServerRow[] }>(
          `/api/admin/servers${care ? '?care=1' : ''}`,
        ),
        'servers',
      ),
  });
  return (
    <section>
      <AdminNav />
      <PageTitle>Servers</PageTitle>
      <fieldset className="inline filter">
        <legend className="sr-only">Filter</legend>
        <label>
          <input
            type="checkbox"
            checked={care}
            onChange={(e) => {
              setCare(e.target.checked);
              // The filter is in the address, so a reload or a shared link keeps it.
              window.history.replaceState(null, '', e.target.checked ? '?care=1' : window.location.pathname);
            }}
          />
          Needs care (overdue, suspended, failed, stuck, waiting)
        </label>
      </fieldset>
      {servers.isPending ? (
        <Loading what="servers" />
      ) : servers.error ? (
        <ErrorMessage error={servers.error} />
      ) : servers.data.length === 0 ? (
        <p className="muted" data-testid="no-servers">
          {care ? 'No server needs care.' : 'No servers yet.'}
        </p>
      ) : (
        <div className="table-wrap">
          <table data-testid="admin-servers">
            <caption className="sr-only">{care ? 'Servers that need care' : 'Every server'}</caption>
            <thead>
              <tr>
                <th scope="col">Hostname</th>
                <th scope="col">Owner</th>
                <th scope="col">Plan</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Monthly
                </th>
                <th scope="col">Paid until</th>
              </tr>
            </thead>
            <tbody>
              {servers.data.map((s) => (
                <tr
                  key={s.id}
                  data-testid={`admin-server-${s.id}`}
                  className={s.care.length ? 'attention' : undefined}
                >
                  <td>
                    <Link href={`/admin/servers/${s.id}`}>{s.hostname}</Link>
                  </td>
                  <td>
                    <Link href={`/admin/users/${s.owner.id}`}>{s.owner.email}</Link>
                  </td>
                  <td>{s.planName}</td>
                  <td>
                    {STATUS_LABELS[s.status]}
                    {s.care.length > 0 && (
                      <span className="small"> · {s.care.map((c) => CARE_LABELS[c] ?? c).join(', ')}</span>
                    )}
                    {s.cancelAtPeriodEnd && <span className="small"> · ends at period end</span>}
                  </td>
                  <td className="num">{formatMoney(s.priceMonthlyCents, s.currency)}</td>
                  <td>{s.paidUntil ? formatDate(s.paidUntil) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
