import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, UserView } from '../../api';
import { ConfirmPanel } from '../../confirm';
import { useMe } from '../../session';
import { ErrorMessage } from '../../ui';

type Pending = 'role' | 'sign-out' | 'disable' | 'enable' | 'reset-link' | null;

/**
 * What an admin does to an account besides its wallet: role, sign out everywhere, disable or
 * enable. Each asks first, and each is one row in the audit trail.
 */
export function AdminUserActions({ user }: { user: UserView }) {
  const queryClient = useQueryClient();
  const me = useMe();
  const self = me.data?.user.id === user.id;
  const [pending, setPending] = useState<Pending>(null);
  const [done, setDone] = useState<string | null>(null);
  const disabled = !!user.disabledAt;
  const nextRole = user.role === 'admin' ? 'user' : 'admin';

  const act = useMutation({
    mutationFn: async (what: Exclude<Pending, null>) => {
      const base = `/api/admin/users/${user.id}`;
      switch (what) {
        case 'role':
          await api.post(`${base}/role`, { role: nextRole });
          return `${user.email} is now ${nextRole === 'admin' ? 'an admin' : 'a user'}.`;
        case 'sign-out': {
          const r = await api.post<{ sessionsRevoked: number }>(`${base}/sign-out-everywhere`);
          return `${r.sessionsRevoked} session(s) signed out.`;
        }
        case 'disable':
          await api.post(`${base}/disable`);
          return `${user.email} is disabled: they cannot sign in; their servers keep running.`;
        case 'enable':
          await api.post(`${base}/enable`);
          return `${user.email} may sign in again.`;
        case 'reset-link': {
          const r = await api.post<{ sentTo: string }>(`${base}/password-reset-link`);
          return `A password reset link was emailed to ${r.sentTo}; it works for one hour.`;
        }
      }
    },
    onSuccess: async (message) => {
      setPending(null);
      setDone(message);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ['admin-user', user.id] }),
        queryClient.invalidateQueries({ queryKey: ['admin-users'] }),
      ]);
    },
  });

  const open = (what: Pending) => {
    act.reset();
    setDone(null);
    setPending(what);
  };

  return (
    <section aria-labelledby="account-actions">
      <h2 id="account-actions">Account</h2>
      {disabled && (
        <p className="notice error" data-testid="user-disabled">
          Disabled since {new Date(user.disabledAt!).toLocaleString()}: cannot sign in.
        </p>
      )}
      <p className="inline">
        {!self && (
          <button type="button" className="secondary" onClick={() => open('role')}>
            {user.role === 'admin' ? 'Make a user' : 'Make an admin'}
          </button>
        )}
        <button type="button" className="secondary" onClick={() => open('sign-out')}>
          Sign out everywhere
        </button>
        {disabled ? (
          <button type="button" className="secondary" onClick={() => open('enable')}>
            Enable account
          </button>
        ) : (
          !self && (
            <button type="button" className="danger" onClick={() => open('disable')}>
              Disable account
            </button>
          )
        )}
      </p>
      <p className="inline">
        <button type="button" className="secondary" onClick={() => open('reset-link')}>
          Email a password reset link
        </button>
      </p>
      {pending === 'role' && (
        <ConfirmPanel
          title={nextRole === 'admin' ? 'Make this user an admin?' : 'Take the admin role away?'}
          confirmLabel={nextRole === 'admin' ? 'Make an admin' : 'Make a user'}
          busy={act.isPending}
          danger={nextRole === 'admin'}
          onConfirm={() => act.mutate('role')}
          onCancel={() => setPending(null)}
        >
          <p>
            {nextRole === 'admin'
              ? `${user.email} will see every customer, wallet and server, and can change them.`
              : `${user.email} will no longer reach the admin pages.`}
          </p>
        </ConfirmPanel>
      )}
      {pending === 'sign-out' && (
        <ConfirmPanel
          title="Sign out everywhere?"
          confirmLabel="Sign out everywhere"
          busy={act.isPending}
          onConfirm={() => act.mutate('sign-out')}
          onCancel={() => setPending(null)}
        >
          <p>Every browser signed in as {user.email} is signed out; they can sign in again.</p>
        </ConfirmPanel>
      )}
      {pending === 'disable' && (
        <ConfirmPanel
          title="Disable this account?"
          confirmLabel="Disable account"
          typed={user.email}
          danger
          busy={act.isPending}
          onConfirm={() => act.mutate('disable')}
          onCancel={() => setPending(null)}
        >
          <p>
            {user.email} is signed out everywhere and cannot sign in until enabled again. Their servers keep
            running and renewing.
          </p>
        </ConfirmPanel>
      )}
      {pending === 'reset-link' && (
        <ConfirmPanel
          title="Email a password reset link?"
          confirmLabel="Email the link"
          busy={act.isPending}
          onConfirm={() => act.mutate('reset-link')}
          onCancel={() => setPending(null)}
        >
          <p>
            {user.email} gets a link to set a new password, valid for one hour. You never see it; their
            password stays until they use it.
          </p>
        </ConfirmPanel>
      )}
      {pending === 'enable' && (
        <ConfirmPanel
          title="Enable this account?"
          confirmLabel="Enable account"
          busy={act.isPending}
          onConfirm={() => act.mutate('enable')}
          onCancel={() => setPending(null)}
        >
          <p>{user.email} may sign in again.</p>
        </ConfirmPanel>
      )}
      {act.error && <ErrorMessage error={act.error} />}
      {done && (
        <p className="notice" role="status">
          {done}
        </p>
      )}
    </section>
  );
}
