import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { FormEvent, useState } from 'react';
import { Link } from 'wouter';
import { api } from '../../api';
import { formatDate } from '../../money';
import { ErrorMessage, Loading, PageTitle } from '../../ui';
import { AdminNav } from '../../components/AdminNav';

/** A message in the outbox list (GET /api/admin/mail). */
export interface MailSummary {
  id: number;
  userId: number | null;
  recipient: string;
  kind: string;
  subject: string;
  status: 'pending' | 'sending' | 'sent' | 'held' | 'dead';
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  sentAt: string | null;
  createdAt: string;
}

/** One message with its bodies (GET /api/admin/mail/:id). */
export interface MailDetail extends MailSummary {
  dedupeKey: string;
  giveUpAt: string;
  bodyText: string;
  bodyHtml: string;
}

const STATUSES = ['pending', 'sending', 'sent', 'held', 'dead'] as const;
const PAGE = 50;

const STATUS_HELP: Record<MailSummary['status'], string> = {
  pending: 'waiting to be sent',
  sending: 'being sent now',
  sent: 'accepted by the mail server',
  held: 'no SMTP_URL configured when it was written',
  dead: 'could not be delivered for 24 hours',
};

export function AdminMail() {
  const [form, setForm] = useState({ status: '', kind: '', userId: '' });
  const [filter, setFilter] = useState(form);
  const query = (before?: number) => {
    const params = new URLSearchParams({ limit: String(PAGE) });
    if (filter.status) params.set('status', filter.status);
    if (filter.kind.trim()) params.set('kind', filter.kind.trim());
    if (filter.userId.trim()) params.set('userId', filter.userId.trim());
    if (before) params.set('before', String(before));
    return `/api/admin/mail?${params.toString()}`;
  };
  const messages = useInfiniteQuery({
    queryKey: ['admin-mail', filter],
    queryFn: ({ pageParam }) =>
      api.get<{ messages: MailSummary[]; nextBefore: number | null }>(query(pageParam)),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => (last.messages.length === PAGE ? (last.nextBefore ?? undefined) : undefined),
  });
  const rows = messages.data?.pages.flatMap((p) => p.messages) ?? [];

  return (
    <section>
      <AdminNav />
      <PageTitle>Outbox</PageTitle>
      <p className="muted">
        Every email the panel writes, newest first. Held messages wait for SMTP_URL; dead ones failed for 24
        hours and can be retried.
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
          Status
          <select value={form.status} onChange={(e) => setForm({ ...form, status: e.target.value })}>
            <option value="">any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Kind
          <input
            name="kind"
            value={form.kind}
            placeholder="e.g. welcome"
            onChange={(e) => setForm({ ...form, kind: e.target.value })}
          />
        </label>
        <label>
          User id
          <input
            name="userId"
            inputMode="numeric"
            value={form.userId}
            onChange={(e) => setForm({ ...form, userId: e.target.value })}
          />
        </label>
        <button type="submit">Filter</button>
      </form>
      {messages.isPending ? (
        <Loading what="messages" />
      ) : messages.error ? (
        <ErrorMessage error={messages.error} />
      ) : rows.length === 0 ? (
        <p className="muted">No messages match.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Written</th>
                <th scope="col">Status</th>
                <th scope="col">Kind</th>
                <th scope="col">To</th>
                <th scope="col">Subject</th>
                <th scope="col" className="num">
                  Attempts
                </th>
                <th scope="col">Last error</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((m) => (
                <tr key={m.id} className={m.status === 'dead' ? 'attention' : ''}>
                  <td>{formatDate(m.createdAt)}</td>
                  <td title={STATUS_HELP[m.status]}>
                    {m.status === 'dead' ? <strong>⚠ dead</strong> : m.status}
                  </td>
                  <td>{m.kind}</td>
                  <td>
                    {m.recipient}
                    {m.userId !== null && (
                      <>
                        {' '}
                        <Link href={`/admin/users/${m.userId}`}>#{m.userId}</Link>
                      </>
                    )}
                  </td>
                  <td>
                    <Link href={`/admin/mail/${m.id}`}>{m.subject}</Link>
                  </td>
                  <td className="num">{m.attempts}</td>
                  <td>{m.status === 'sent' ? '' : (m.lastError ?? '')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {messages.hasNextPage && (
        <button
          type="button"
          className="secondary"
          disabled={messages.isFetchingNextPage}
          onClick={() => void messages.fetchNextPage()}
        >
          Older messages
        </button>
      )}
    </section>
  );
}

export function AdminMailMessage({ id }: { id: string }) {
  const queryClient = useQueryClient();
  const [view, setView] = useState<'html' | 'text'>('html');
  const message = useQuery({
    queryKey: ['admin-mail-message', id],
    queryFn: () => api.get<{ message: MailDetail }>(`/api/admin/mail/${encodeURIComponent(id)}`),
  });
  const retry = useMutation({
    mutationFn: () => api.post<{ message: MailDetail }>(`/api/admin/mail/${encodeURIComponent(id)}/retry`),
    onSuccess: async (answer) => {
      queryClient.setQueryData(['admin-mail-message', id], answer);
      await queryClient.invalidateQueries({ queryKey: ['admin-mail'] });
    },
  });

  if (message.isPending) return <Loading what="the message" />;
  if (message.error) return <ErrorMessage error={message.error} />;
  const m = message.data.message;
  return (
    <section>
      <AdminNav />
      <p>
        <Link href="/admin/mail">← Outbox</Link>
      </p>
      <PageTitle>{m.subject}</PageTitle>
      <dl className="details">
        <dt>Status</dt>
        <dd>
          {m.status} ({STATUS_HELP[m.status]})
        </dd>
        <dt>To</dt>
        <dd>
          {m.recipient}
          {m.userId !== null && (
            <>
              {' '}
              <Link href={`/admin/users/${m.userId}`}>user #{m.userId}</Link>
            </>
          )}
        </dd>
        <dt>Kind</dt>
        <dd>{m.kind}</dd>
        <dt>Written</dt>
        <dd>{formatDate(m.createdAt)}</dd>
        <dt>Attempts</dt>
        <dd>{m.attempts}</dd>
        {m.nextAttemptAt && (
          <>
            <dt>Next attempt</dt>
            <dd>{formatDate(m.nextAttemptAt)}</dd>
          </>
        )}
        {m.sentAt && (
          <>
            <dt>Sent</dt>
            <dd>{formatDate(m.sentAt)}</dd>
          </>
        )}
        {m.lastError && m.status !== 'sent' && (
          <>
            <dt>Last error</dt>
            <dd className="error">{m.lastError}</dd>
          </>
        )}
        <dt>Dedupe key</dt>
        <dd>
          <code>{m.dedupeKey}</code>
        </dd>
      </dl>
      {(m.status === 'dead' || m.status === 'held') && (
        <p>
          <button type="button" disabled={retry.isPending} onClick={() => retry.mutate()}>
            Retry: send it again
          </button>
        </p>
      )}
      {retry.isSuccess && (
        <p className="notice" role="status">
          Queued again: the sender picks it up within seconds.
        </p>
      )}
      <ErrorMessage error={retry.error} />
      <div role="group" aria-label="Body" className="inline">
        <button
          type="button"
          className={view === 'html' ? '' : 'secondary'}
          aria-pressed={view === 'html'}
          onClick={() => setView('html')}
        >
          HTML
        </button>
        <button
          type="button"
          className={view === 'text' ? '' : 'secondary'}
          aria-pressed={view === 'text'}
          onClick={() => setView('text')}
        >
          Plain text
        </button>
      </div>
      {view === 'html' ? (
        // sandbox="" : no scripts, no forms, no same-origin access; the message is only looked at.
        // Served by the API with its own CSP (inline styles, nothing else), so it looks as sent.
        <iframe
          title={`HTML body of message ${m.id}`}
          sandbox=""
          src={`/api/admin/mail/${encodeURIComponent(String(m.id))}/preview`}
          style={{ width: '100%', minHeight: '28rem', border: '1px solid #ccc', background: '#fff' }}
        />
      ) : (
        <pre style={{ whiteSpace: 'pre-wrap' }}>{m.bodyText}</pre>
      )}
    </section>
  );
}
