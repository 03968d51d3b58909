import { useMutation, useQueryClient } from '@tanstack/react-query';
import { FormEvent, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { api, ApiError, Me } from '../api';
import { queries } from '../queries';
import { ErrorMessage, PageTitle } from '../ui';

/** Where a sign-in goes next: `?next=` when it is a path of this site, else the wallet. */
export function nextPath(search: string = window.location.search): string {
  const next = new URLSearchParams(search).get('next');
  return next?.startsWith('/') && !next.startsWith('//') ? next : '/wallet';
}

/** The second step of signing in: a code from the authenticator app, or one recovery code. */
export function SignInCode() {
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const [useRecovery, setUseRecovery] = useState(false);
  const [value, setValue] = useState('');
  const verify = useMutation({
    mutationFn: () =>
      api.post<Me>(
        '/api/auth/2fa/verify',
        useRecovery ? { recoveryCode: value.trim() } : { code: value.replace(/\s+/g, '') },
      ),
    onSuccess: (me) => {
      queryClient.clear();
      queryClient.setQueryData(queries.me().queryKey, me);
      navigate(nextPath());
    },
  });
  const error = verify.error;

  // The waiting sign-in is gone (too many tries, expired, signed out): start again.
  const over =
    error instanceof ApiError &&
    (error.status === 429 || error.code === 'unauthenticated' || error.code === 'no_pending_sign_in');
  return (
    <section className="narrow">
      <PageTitle>Enter your sign-in code</PageTitle>
      <form
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          verify.mutate();
        }}
        className="stack"
      >
        {useRecovery ? (
          <label>
            Recovery code
            <input
              name="recoveryCode"
              autoComplete="off"
              spellCheck={false}
              required
              value={value}
              onChange={(e) => setValue(e.target.value)}
            />
          </label>
        ) : (
          <label>
            6-digit code from your authenticator app
            <input
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9 ]{6,7}"
              maxLength={7}
              required
              value={value}
              onChange={(e) => setValue(e.target.value)}
            />
          </label>
        )}
        <ErrorMessage error={error} />
        {over && (
          <p>
            <Link href="/signin">Sign in again</Link>
          </p>
        )}
        <button type="submit" disabled={verify.isPending}>
          {verify.isPending ? 'Checking…' : 'Sign in'}
        </button>
      </form>
      <p>
        <button
          type="button"
          className="link"
          onClick={() => {
            setUseRecovery(!useRecovery);
            setValue('');
            verify.reset();
          }}
        >
          {useRecovery ? 'Use a code from your app instead' : 'Lost your phone? Use a recovery code'}
        </button>
      </p>
    </section>
  );
}
