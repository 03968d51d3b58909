import { useMutation } from '@tanstack/react-query';
import { FormEvent, useState } from 'react';
import { Link } from 'wouter';
import { api } from '../../api';
import { ErrorMessage, PageTitle } from '../../ui';

/** "Forgot password?": the answer is the same whether or not the address has an account. */
export function ForgotPassword() {
  const [email, setEmail] = useState('');
  const ask = useMutation({
    mutationFn: (address: string) =>
      api.post<{ message: string }>('/api/auth/forgot-password', { email: address }),
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    ask.mutate(email.trim());
  }
  return (
    <section className="narrow">
      <PageTitle>Forgot your password?</PageTitle>
      {ask.isSuccess ? (
        <p className="notice success" role="status">
          {ask.data.message}
        </p>
      ) : (
        <form onSubmit={submit} className="stack">
          <p>Enter the email address of your account. We will email you a link to choose a new password.</p>
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
          <ErrorMessage error={ask.error} />
          <button type="submit" disabled={ask.isPending}>
            Email me a link
          </button>
        </form>
      )}
      <p>
        <Link href="/signin">Back to sign in</Link>
      </p>
    </section>
  );
}
