import { useMutation, useQueryClient } from '@tanstack/react-query';
import { FormEvent, useState } from 'react';
import { api } from '../../api';
import { ErrorMessage } from '../../ui';

/** A new password, asking for the current one; the other signed-in devices are signed out. */
export function ChangePassword() {
  const queryClient = useQueryClient();
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNew] = useState('');
  const change = useMutation({
    mutationFn: () =>
      api.post<{ signedOutSessions: number }>('/api/account/password', { currentPassword, newPassword }),
    onSuccess: () => {
      setCurrent('');
      setNew('');
      void queryClient.invalidateQueries({ queryKey: ['account-sessions'] });
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    change.mutate();
  }
  return (
    <section aria-labelledby="password-heading">
      <h2 id="password-heading">Password</h2>
      <form onSubmit={submit} className="stack">
        <label>
          Current password
          <input
            name="currentPassword"
            type="password"
            autoComplete="current-password"
            required
            value={currentPassword}
            onChange={(e) => setCurrent(e.target.value)}
          />
        </label>
        <label>
          New password
          <input
            name="newPassword"
            type="password"
            autoComplete="new-password"
            required
            minLength={10}
            value={newPassword}
            onChange={(e) => setNew(e.target.value)}
            aria-describedby="new-password-help"
          />
        </label>
        <p id="new-password-help" className="muted small">
          At least 10 characters; not a common password and not your email. Your other devices will be signed
          out.
        </p>
        <ErrorMessage error={change.error} />
        {change.isSuccess && (
          <p className="notice success" role="status">
            Password changed.{' '}
            {change.data.signedOutSessions === 1
              ? '1 other session was signed out.'
              : `${change.data.signedOutSessions} other sessions were signed out.`}
          </p>
        )}
        <button type="submit" disabled={change.isPending}>
          Change password
        </button>
      </form>
    </section>
  );
}
