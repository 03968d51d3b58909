import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { AdminNav } from '../../components/AdminNav';
import { QueryState } from '../../components/QueryState';
import { formatDate, formatMoney } from '../../money';
import { queries } from '../../queries';
import { useAppInfo } from '../../session';
import { PageTitle } from '../../ui';

export function AdminUsers() {
  const currency = useAppInfo().data?.currency ?? 'aud';
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const users = useQuery(queries.adminUsers(search));
  return (
    <section>
      <AdminNav />
      <PageTitle>Users</PageTitle>
      <form
        role="search"
        className="inline"
        onSubmit={(e) => {
          e.preventDefault();
          setSearch(q.trim());
        }}
      >
        <label>
          Search by email or name
          <input name="q" type="search" value={q} onChange={(e) => setQ(e.target.value)} />
        </label>
        <button type="submit">Search</button>
      </form>
      <QueryState
        query={users}
        what="users"
        isEmpty={(d) => d.users.length === 0}
        empty={<p className="muted">No users match. Try part of an email address.</p>}
      >
        {(d) => (
          <div className="table-wrap">
            <table className="stack-narrow">
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  <th scope="col">Name</th>
                  <th scope="col">Role</th>
                  <th scope="col" className="num">
                    Balance
                  </th>
                  <th scope="col">Joined</th>
                </tr>
              </thead>
              <tbody>
                {d.users.map((u) => (
                  <tr key={u.id}>
                    <td data-label="Email" className="wrap">
                      <Link href={`/admin/users/${u.id}`}>{u.email}</Link>
                    </td>
                    <td data-label="Name">{u.name}</td>
                    <td data-label="Role">
                      {u.role}
                      {u.disabledAt && <strong> · disabled</strong>}
                    </td>
                    <td data-label="Balance" className="num">
                      {u.balanceCents === undefined ? '' : formatMoney(u.balanceCents, currency)}
                    </td>
                    <td data-label="Joined">{formatDate(u.createdAt)}</td>
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
