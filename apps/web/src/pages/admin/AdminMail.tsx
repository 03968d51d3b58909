import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { FormEvent, useState } from 'react';
import { Link } from 'wouter';
import { api, MailDetail, MailSummary } from '../../api';
import { keys, queries } from '../../queries';
import { formatDate } from '../../money';
import { ErrorMessage, Loading, PageTitle } from '../../ui';
import { AdminNav } from '../../components/AdminNav';

export type { MailDetail, MailSummary };

const STATUSES = ['pending', 'sending', 'sent', 'held', 'dead'] as const;

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
  const messages = useInfiniteQuery(queries.adminMail(filter));
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
        <ErrorMessage error={messages.error} onRetry={() => void messages.refetch()} />
      ) : rows.length === 0 ? (
        <p className="muted">No messages match.</p>
      ) : (
        <div className="table-wrap">
          <table className="stack-narrow">
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
                  <td data-label="Written">{formatDate(m.createdAt)}</td>
                  <td data-label="Status" title={STATUS_HELP[m.status]}>
                    {m.status === 'dead' ? <strong>⚠ dead</strong> : m.status}
                  </td>
                  <td data-label="Kind">{m.kind}</td>
                  <td data-label="To">
                    {m.recipient}
                    {m.userId !== null && (
                      <>
                        {' '}
                        <Link href={`/admin/users/${m.userId}`}>#{m.userId}</Link>
                      </>
                    )}
                  </td>
                  <td data-label="Subject">
                    <Link href={`/admin/mail/${m.id}`}>{m.subject}</Link>
                  </td>
                  <td data-label="Attempts" className="num">
                    {m.attempts}
                  </td>
                  <td data-label="Last error">{m.status === 'sent' ? '' : (m.lastError ?? '')}</td>
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
  const message = useQuery(queries.adminMailMessage(id));
  const retry = useMutation({
    mutationFn: () => api.post<{ message: MailDetail }>(`/api/admin/mail/${encodeURIComponent(id)}/retry`),
    onSuccess: async (answer) => {
      queryClient.setQueryData(queries.adminMailMessage(id).queryKey, answer);
      await queryClient.invalidateQueries({ queryKey: keys.adminMail });
    },
  });

  if (message.isPending) return <Loading what="the message" />;
  if (message.error) return <ErrorMessage error={message.error} onRetry={() => void message.refetch()} />;
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
