import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { api } from '../api';
import { queries } from '../queries';
import { useAppInfo, useMe, useVersion } from '../session';

/**
 * The top bar. On a phone the links fold behind a Menu button (CSS shows them inline from 48rem);
 * the menu closes on every navigation.
 */
export function Header() {
  const me = useMe();
  const app = useAppInfo();
  const client = useQueryClient();
  const [location, navigate] = useLocation();
  const [open, setOpen] = useState(false);
  useEffect(() => setOpen(false), [location]);
  const user = me.data?.user;
  const signOut = useMutation({
    mutationFn: () => api.post('/api/auth/logout').catch(() => undefined),
    onSettled: () => {
      client.clear();
      client.setQueryData(queries.me().queryKey, null);
      navigate('/signin');
    },
  });
  return (
    <header className="top">
      <Link href="/" className="brand">
        {app.data?.businessName ?? 'OzVPS'}
      </Link>
      <button
        type="button"
        className="menu-button secondary"
        aria-expanded={open}
        aria-controls="main-nav"
        onClick={() => setOpen((o) => !o)}
      >
        Menu
      </button>
      <div id="main-nav" className={`nav-panel ${open ? 'open' : ''}`}>
        <nav aria-label="Main">
          <Link href="/pricing">Pricing</Link>
          {/* An admin confined to enrolling two-factor sign-in can only reach that page. */}
          {user && !me.data?.twoFactor?.enrolmentRequired && (
            <>
              <Link href="/wallet">Wallet</Link>
              <Link href="/servers">Servers</Link>
              <Link href="/deploy">Deploy</Link>
              <Link href="/ssh-keys">SSH keys</Link>
              <Link href="/billing">Billing</Link>
              {user.role === 'admin' && <Link href="/admin/users">Admin</Link>}
            </>
          )}
        </nav>
        <div className="account">
          {user ? (
            <>
              <Link href="/account" className="small">
                {user.email}
              </Link>{' '}
              <button type="button" className="link" onClick={() => signOut.mutate()}>
                Sign out
              </button>
            </>
          ) : (
            !me.isPending && (
              <>
                <Link href="/signin">Sign in</Link>{' '}
                <Link href="/signup" className="button">
                  Sign up
                </Link>
              </>
            )
          )}
        </div>
      </div>
    </header>
  );
}

export function Footer() {
  const version = useVersion();
  const app = useAppInfo();
  const a = app.data;
  return (
    <footer className="bottom muted small">
      {a?.supportEmail && (
        <>
          Support: <a href={`mailto:${a.supportEmail}`}>{a.supportEmail}</a> ·{' '}
        </>
      )}
      {a?.termsUrl && (
        <>
          <a href={a.termsUrl}>Terms</a> ·{' '}
        </>
      )}
      {a?.privacyUrl && (
        <>
          <a href={a.privacyUrl}>Privacy</a> ·{' '}
        </>
      )}
      OzVPS panel{version.data ? ` v${version.data.version} · ${version.data.commit.slice(0, 12)}` : ''}
    </footer>
  );
}

export function SandboxBanner() {
  const app = useAppInfo();
  if (!app.data?.sandbox) return null;
  return (
    <div className="sandbox" role="note">
      Sandbox: payments and servers here are simulated by local fakes of Stripe and VirtFusion. No real money
      moves.
    </div>
  );
}
