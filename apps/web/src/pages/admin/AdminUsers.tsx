import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { api, UserView } from '../../api';
import { AdminNav } from '../../components/AdminNav';
import { formatDate } from '../../money';
import { ErrorMessage, Loading, PageTitle } from '../../ui';

export function AdminUsers() {
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const users = useQuery({
    queryKey: ['admin-users', search],
    queryFn: () =>
      api.get<{ users: UserView[] }>(`/api/admin/users?limit=100&q=${encodeURIComponent(search)}`),
  });
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
      {users.isPending ? (
        <Loading what="users" />
      ) : users.error ? (
        <ErrorMessage error={users.error} />
      ) : users.data.users.length === 0 ? (
        <p className="muted">No users match.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Joined</th>
              </tr>
            </thead>
            <tbody>
              {users.data.users.map((u) => (
                <tr key={u.id}>
                  <td>
                    <Link href={`/admin/users/${u.id}`}>{u.email}</Link>
                  </td>
                  <td>{u.name ?? ''}</td>
                  <td>{u.role}</td>
                  <td>{formatDate(u.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
