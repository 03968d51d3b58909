import { useMutation } from '@tanstack/react-query';
import { FormEvent, useState } from 'react';
import { api, Me } from '../../api';
import { ErrorMessage } from '../../ui';

/** Moving to a new address: it changes only once the new address confirms the emailed link. */
export function ChangeEmail({ user }: { user: Me['user'] }) {
  const [newEmail, setNewEmail] = useState('');
  const [currentPassword, setCurrent] = useState('');
  const change = useMutation({
    mutationFn: () =>
      api.post<{ pendingEmail: string }>('/api/account/email', {
        currentPassword,
        newEmail: newEmail.trim(),
      }),
    onSuccess: () => setCurrent(''),
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    change.mutate();
  }
  return (
    <section aria-labelledby="email-heading">
      <h2 id="email-heading">Email address</h2>
      <p>
        <strong>{user.email}</strong>{' '}
        <span className="muted small">{user.emailVerified ? '(confirmed)' : '(not confirmed yet)'}</span>
      </p>
      <form onSubmit={submit} className="stack">
        <label>
          New email address
          <input
            name="newEmail"
            type="email"
            autoComplete="email"
            required
            value={newEmail}
            onChange={(e) => setNewEmail(e.target.value)}
          />
        </label>
        <label>
          Current password
          <input
            name="emailCurrentPassword"
            type="password"
            autoComplete="current-password"
            required
            value={currentPassword}
            onChange={(e) => setCurrent(e.target.value)}
          />
        </label>
        <ErrorMessage error={change.error} />
        {change.isSuccess && (
          <p className="notice success" role="status">
            We sent a link to {change.data.pendingEmail}. Your address changes when you open it; until then
            you sign in with {user.email}.
          </p>
        )}
        <button type="submit" disabled={change.isPending}>
          Change email
        </button>
      </form>
    </section>
  );
}
