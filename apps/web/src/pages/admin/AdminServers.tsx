import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useSearch } from 'wouter';
import { CareReason } from '../../api';
import { QueryState } from '../../components/QueryState';
import { queries } from '../../queries';
import { formatDate, formatMoney } from '../../money';
import { PageTitle } from '../../ui';
import { AdminNav } from '../../components/AdminNav';
import { STATUS_LABELS } from '../../components/server/server-api';

export const CARE_LABELS: Record<CareReason, string> = {
  overdue: 'Overdue',
  suspended: 'Suspended',
  failed: 'Failed',
  provisioning_stuck: 'Stuck setting up',
  waiting: 'Waiting for payment',
};

/** Every server with its owner, plan and money; "Needs care" narrows to the ones to look at. */
export function AdminServers() {
  const search = useSearch();
  const [care, setCare] = useState(() => new URLSearchParams(search).get('care') === '1');
  const servers = useQuery(queries.adminServers(care));
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
      <QueryState
        query={servers}
        what="servers"
        isEmpty={(d) => d.length === 0}
        empty={
          <p className="muted" data-testid="no-servers">
            {care ? 'No server needs care.' : 'No servers yet.'}
          </p>
        }
      >
        {(rows) => (
          <div className="table-wrap">
            <table data-testid="admin-servers" className="stack-narrow">
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
                {rows.map((s) => (
                  <tr
                    key={s.id}
                    data-testid={`admin-server-${s.id}`}
                    className={s.care.length ? 'attention' : undefined}
                  >
                    <td data-label="Hostname">
                      <Link href={`/admin/servers/${s.id}`}>{s.hostname}</Link>
                    </td>
                    <td data-label="Owner">
                      <Link href={`/admin/users/${s.owner.id}`}>{s.owner.email}</Link>
                    </td>
                    <td data-label="Plan">{s.planName}</td>
                    <td data-label="Status">
                      {STATUS_LABELS[s.status]}
                      {s.care.length > 0 && (
                        <span className="small"> · {s.care.map((c) => CARE_LABELS[c] ?? c).join(', ')}</span>
                      )}
                      {s.cancelAtPeriodEnd && <span className="small"> · ends at period end</span>}
                    </td>
                    <td data-label="Monthly" className="num">
                      {formatMoney(s.priceMonthlyCents, s.currency)}
                    </td>
                    <td data-label="Paid until">{s.paidUntil ? formatDate(s.paidUntil) : '—'}</td>
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
