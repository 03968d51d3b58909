import { useInfiniteQuery } from '@tanstack/react-query';
import { FormEvent, useState } from 'react';
import { Link } from 'wouter';
import { api, AuditEventView } from '../../api';
import { formatDate } from '../../money';
import { ErrorMessage, Loading, PageTitle } from '../../ui';
import { AdminNav } from '../../components/AdminNav';

const PAGE = 50;

/** `{"role":"user"}` as `role: user`: short, one line, the whole value in the title. */
function shown(value: Record<string, unknown> | null): string {
  if (!value) return '—';
  return Object.entries(value)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');
}

function Target({ event }: { event: AuditEventView }) {
  const label = event.targetId === null ? event.targetType : `${event.targetType} ${event.targetId}`;
  if (event.targetId === null) return <>{label}</>;
  if (event.targetType === 'user') return <Link href={`/admin/users/${event.targetId}`}>{label}</Link>;
  if (event.targetType === 'server') return <Link href={`/admin/servers/${event.targetId}`}>{label}</Link>;
  if (event.targetType === 'mail') return <Link href={`/admin/mail/${event.targetId}`}>{label}</Link>;
  return <>{label}</>;
}

/** Every admin action from the web and ozvpsctl, newest first: who, what, to what, before → after, why. */
export function AdminAudit() {
  const [form, setForm] = useState({ actor: '', target: '', since: '' });
  const [filter, setFilter] = useState(form);
  const query = (before?: number) => {
    const params = new URLSearchParams({ limit: String(PAGE) });
    if (filter.actor.trim()) params.set('actor', filter.actor.trim());
    if (filter.target.trim()) params.set('target', filter.target.trim());
    if (filter.since) params.set('since', filter.since);
    if (before) params.set('before', String(before));
    return `/api/admin/audit?${params.toString()}`;
  };
  const events = useInfiniteQuery({
    queryKey: ['admin-audit', filter],
    queryFn: ({ pageParam }) =>
      api.get<{ events: AuditEventView[]; nextBefore: number | null }>(query(pageParam)),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => last.nextBefore ?? undefined,
  });
  const rows = events.data?.pages.flatMap((p) => p.events) ?? [];

  return (
    <section>
      <AdminNav />
      <PageTitle>Audit trail</PageTitle>
      <p className="muted">
        Every admin action, from this panel and from <code>ozvpsctl</code>, newest first. Rows are never
        changed or deleted.
      </p>
      <form
        role="search"
        className="inline"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          setFilter(form);
        }}
      >
        <label>
          Actor
          <input
            name="actor"
            value={form.actor}
            placeholder="e.g. alice or admin:3"
            onChange={(e) => setForm({ ...form, actor: e.target.value })}
          />
        </label>
        <label>
          Target
          <input
            name="target"
            value={form.target}
            placeholder="e.g. user:12 or server"
            onChange={(e) => setForm({ ...form, target: e.target.value })}
          />
        </label>
        <label>
          Since
          <input
            name="since"
            type="date"
            value={form.since}
            onChange={(e) => setForm({ ...form, since: e.target.value })}
          />
        </label>
        <button type="submit">Filter</button>
      </form>
      {events.isPending ? (
        <Loading what="the audit trail" />
      ) : events.error ? (
        <ErrorMessage error={events.error} />
      ) : rows.length === 0 ? (
        <p className="muted">No admin actions match.</p>
      ) : (
        <div className="table-wrap">
          <table data-testid="audit-events">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Before</th>
                <th scope="col">After</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((e) => (
                <tr key={e.id}>
                  <td>{formatDate(e.at)}</td>
                  <td>{e.actor}</td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td>
                    <Target event={e} />
                  </td>
                  <td className="small">{shown(e.before)}</td>
                  <td className="small">{shown(e.after)}</td>
                  <td>{e.reason ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {events.hasNextPage && (
        <p>
          <button
            type="button"
            className="secondary"
            disabled={events.isFetchingNextPage}
            onClick={() => void events.fetchNextPage()}
          >
            {events.isFetchingNextPage ? 'Loading…' : 'Older actions'}
          </button>
        </p>
      )}
    </section>
  );
}
