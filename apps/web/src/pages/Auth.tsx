import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { FormEvent, useState } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { api, ApiError, Me, SecondFactorOwed } from '../api';
import { queries } from '../queries';
import { ErrorMessage, PageTitle } from '../ui';
import { nextPath } from './SignInCode';

/** What the OIDC callback's `?error=<code>` means, said to the person who just came back. */
const SIGN_IN_ERRORS: Record<string, string> = {
  oidc_failed: 'Signing in with your identity provider did not work. Please try again.',
  oidc_unavailable: 'The identity provider is not answering right now. Please try again shortly.',
  oidc_not_configured: 'Signing in with an identity provider is not set up on this panel.',
  conflict:
    'An account with this email already exists here, and the identity provider has not verified the email. Sign in with your password instead.',
  account_disabled: 'This account is disabled: contact support.',
};

/** The error an OIDC redirect brought back to the sign-in page, if any. */
function redirectError(search: string): ApiError | null {
  const code = new URLSearchParams(search).get('error');
  if (!code) return null;
  return new ApiError(0, code, SIGN_IN_ERRORS[code] ?? 'Signing in did not work. Please try again.');
}

function AuthForm({ mode }: { mode: 'signin' | 'signup' }) {
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const search = useSearch();
  const [redirected] = useState(() => (mode === 'signin' ? redirectError(search) : null));
  const providers = useQuery(queries.providers());
  const submit = useMutation({
    mutationFn: () =>
      mode === 'signup'
        ? api.post<Me>('/api/auth/signup', { email, password, ...(name.trim() ? { name: name.trim() } : {}) })
        : api.post<Me | SecondFactorOwed>('/api/auth/login', { email, password }),
    onSuccess: (me) => {
      queryClient.clear();
      const next = nextPath(search);
      if ('twoFactorRequired' in me) {
        navigate(`/signin/code?next=${encodeURIComponent(next)}`);
        return;
      }
      // The sign-in answer does not say whether an admin must set up 2FA first: /api/auth/session does.
      if (me.user.role !== 'admin') queryClient.setQueryData(queries.me().queryKey, me);
      navigate(next);
    },
  });
  const error = submit.error ?? (submit.isIdle ? redirected : null);

  return (
    <section className="narrow">
      <PageTitle>{mode === 'signup' ? 'Create your account' : 'Sign in'}</PageTitle>
      <form
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          submit.mutate();
        }}
        className="stack"
      >
        {mode === 'signup' && (
          <label>
            Name <span className="muted">(optional)</span>
            <input name="name" autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />
          </label>
        )}
        <label>
          Email
          <input
            name="email"
            type="email"
            autoComplete="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete={mode === 'signup' ? 'new-password' : 'current-password'}
            required
            minLength={mode === 'signup' ? 10 : undefined}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-describedby={mode === 'signup' ? 'password-help' : undefined}
          />
        </label>
        {mode === 'signup' && (
          <p id="password-help" className="muted small">
            At least 10 characters; not a common password and not your email.
          </p>
        )}
        {mode === 'signin' && (
          <p className="small">
            <Link href="/forgot-password">Forgot password?</Link>
          </p>
        )}
        <ErrorMessage error={error} />
        {mode === 'signup' && error instanceof ApiError && error.code === 'signup_refused' && (
          // The answer never says whether the email is registered; offer both ways forward.
          <p>
            <Link href="/signin">Sign in</Link> instead, or try another email address.
          </p>
        )}
        <button type="submit" disabled={submit.isPending}>
          {mode === 'signup' ? 'Create account' : 'Sign in'}
        </button>
      </form>
      {providers.data?.oidc && (
        <p>
          <a className="button secondary" href={providers.data.oidc.loginUrl}>
            Sign in with {providers.data.oidc.name}
          </a>
        </p>
      )}
      <p>
        {mode === 'signup' ? (
          <>
            Already have an account? <Link href="/signin">Sign in</Link>
          </>
        ) : (
          <>
            New here? <Link href="/signup">Create an account</Link>
          </>
        )}
      </p>
    </section>
  );
}

export const SignIn = () => <AuthForm mode="signin" />;
export const SignUp = () => <AuthForm mode="signup" />;
