import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { AccountSession, api } from '../../api';
import { formatDate } from '../../money';
import { ErrorMessage, Loading } from '../../ui';

/** Where the account is signed in, and signing any other place out. */
export function Sessions() {
  const queryClient = useQueryClient();
  const sessions = useQuery({
    queryKey: ['account-sessions'],
    queryFn: () => api.get<{ sessions: AccountSession[] }>('/api/account/sessions'),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['account-sessions'] });
  const signOutOne = useMutation({
    mutationFn: (id: number) => api.delete(`/api/account/sessions/${id}`),
    onSuccess: refresh,
  });
  const signOutOthers = useMutation({
    mutationFn: () => api.post<{ signedOut: number }>('/api/account/sessions/revoke-others'),
    onSuccess: refresh,
  });
  return (
    <section aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">Where you are signed in</h2>
      {sessions.isPending ? (
        <Loading what="your sessions" />
      ) : sessions.error ? (
        <ErrorMessage error={sessions.error} />
      ) : (
        <>
          <ul className="sessions" data-testid="sessions">
            {sessions.data.sessions.map((s) => (
              <li key={s.id}>
                <strong>{s.browser}</strong>
                {s.current && <span className="badge"> This session</span>}
                <br />
                <span className="muted small">
                  {s.ip ?? 'unknown address'} · signed in {formatDate(s.createdAt)} · last seen{' '}
                  {formatDate(s.lastSeenAt)}
                </span>
                {!s.current && (
                  <>
                    {' '}
                    <button
                      type="button"
                      className="link"
                      disabled={signOutOne.isPending}
                      onClick={() => signOutOne.mutate(s.id)}
                      aria-label={`Sign out ${s.browser} at ${s.ip ?? 'unknown address'}`}
                    >
                      Sign out
                    </button>
                  </>
                )}
              </li>
            ))}
          </ul>
          {sessions.data.sessions.some((s) => !s.current) && (
            <button
              type="button"
              className="secondary"
              disabled={signOutOthers.isPending}
              onClick={() => signOutOthers.mutate()}
            >
              Sign out all other sessions
            </button>
          )}
          {signOutOthers.isSuccess && (
            <p role="status">
              {signOutOthers.data.signedOut === 1 ? '1 session' : `${signOutOthers.data.signedOut} sessions`}{' '}
              signed out.
            </p>
          )}
          <ErrorMessage error={signOutOne.error ?? signOutOthers.error} />
        </>
      )}
    </section>
  );
}
