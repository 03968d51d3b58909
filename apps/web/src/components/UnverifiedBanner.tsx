import { useMutation } from '@tanstack/react-query';
import { api, Me } from '../api';
import { ErrorMessage } from '../ui';

/** Says why top-up and deploy are refused until the address is confirmed, and offers a new link. */
export function UnverifiedBanner({ user }: { user: Me['user'] }) {
  const resend = useMutation({
    mutationFn: () => api.post<{ sent: boolean }>('/api/auth/verify-email/resend'),
  });
  if (user.emailVerified) return null;
  return (
    <div className="unverified" role="region" aria-label="Confirm your email address">
      <p>
        Confirm your email address to top up and deploy: open the link we sent to{' '}
        <strong>{user.email}</strong>.
      </p>
      <button type="button" className="secondary" disabled={resend.isPending} onClick={() => resend.mutate()}>
        Send a new link
      </button>
      {resend.isSuccess && (
        <p role="status">
          {resend.data.sent
            ? 'Sent. Check your inbox (and the spam folder).'
            : 'Your address is already confirmed.'}
        </p>
      )}
      <ErrorMessage error={resend.error} />
    </div>
  );
}
