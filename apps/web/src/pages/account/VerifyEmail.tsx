import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { api } from '../../api';
import { ErrorMessage, PageTitle } from '../../ui';
import { takeLinkToken } from './link-token';

interface Verified {
  purpose: 'verify-email' | 'change-email';
  email: string;
}

/**
 * The page a verification (or change-of-email) link opens. Confirming takes a click, so a mail
 * scanner that opens links does not use the link up.
 */
export function VerifyEmail() {
  const queryClient = useQueryClient();
  const [token] = useState(takeLinkToken);
  const verify = useMutation({
    mutationFn: () => api.post<Verified>('/api/auth/verify-email', { token }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['me'] }),
  });
  return (
    <section className="narrow">
      <PageTitle>Confirm your email address</PageTitle>
      {!token ? (
        <p className="notice error" role="alert">
          This page needs the link from your email. Open the whole link, or ask for a new one from the banner
          once you are signed in.
        </p>
      ) : verify.isSuccess ? (
        <>
          <p className="notice success" role="status">
            {verify.data.purpose === 'change-email'
              ? `Your account now uses ${verify.data.email}.`
              : `Thank you: ${verify.data.email} is confirmed. You can top up and deploy.`}
          </p>
          <p>
            <Link href="/wallet">Go to your wallet</Link>
          </p>
        </>
      ) : (
        <div className="stack">
          <ErrorMessage error={verify.error} />
          <button type="button" disabled={verify.isPending} onClick={() => verify.mutate()}>
            Confirm my email address
          </button>
        </div>
      )}
    </section>
  );
}
