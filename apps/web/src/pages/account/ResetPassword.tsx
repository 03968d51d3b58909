import { useMutation, useQueryClient } from '@tanstack/react-query';
import { FormEvent, useState } from 'react';
import { Link } from 'wouter';
import { api } from '../../api';
import { ErrorMessage, PageTitle } from '../../ui';
import { takeLinkToken } from './link-token';

/** The page a reset link opens: choose a new password; every session of the account then ends. */
export function ResetPassword() {
  const queryClient = useQueryClient();
  const [token] = useState(takeLinkToken);
  const [password, setPassword] = useState('');
  const reset = useMutation({
    mutationFn: (newPassword: string) =>
      api.post<{ message: string }>('/api/auth/reset-password', { token, password: newPassword }),
    // Every session ended, this browser's too.
    onSuccess: () => queryClient.setQueryData(['me'], null),
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    reset.mutate(password);
  }
  if (!token) {
    return (
      <section className="narrow">
        <PageTitle>Choose a new password</PageTitle>
        <p className="notice error" role="alert">
          This page needs the link from your email. Open the whole link, or ask for a new one.
        </p>
        <p>
          <Link href="/forgot-password">Ask for a new link</Link>
        </p>
      </section>
    );
  }
  return (
    <section className="narrow">
      <PageTitle>Choose a new password</PageTitle>
      {reset.isSuccess ? (
        <>
          <p className="notice success" role="status">
            {reset.data.message}
          </p>
          <p>
            <Link href="/signin">Sign in</Link>
          </p>
        </>
      ) : (
        <form onSubmit={submit} className="stack">
          <label>
            New password
            <input
              name="password"
              type="password"
              autoComplete="new-password"
              required
              minLength={10}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              aria-describedby="reset-password-help"
            />
          </label>
          <p id="reset-password-help" className="muted small">
            At least 10 characters; not a common password and not your email. Every device signed in to your
            account will be signed out.
          </p>
          <ErrorMessage error={reset.error} />
          <button type="submit" disabled={reset.isPending}>
            Set new password
          </button>
          <p className="small">
            Link expired or used? <Link href="/forgot-password">Ask for a new one</Link>.
          </p>
        </form>
      )}
    </section>
  );
}
