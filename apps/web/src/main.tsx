import { QueryClient, QueryClientProvider, useQueryClient } from '@tanstack/react-query';
import { StrictMode, ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { Link, Redirect, Route, Switch, useLocation } from 'wouter';
import { api, ApiError } from './api';
import { AdminPlans, AdminStripe, AdminUser, AdminUsers } from './pages/Admin';
import { AdminMail, AdminMailMessage } from './pages/admin/AdminMail';
import { SignIn, SignUp } from './pages/Auth';
import { Account } from './pages/account/Account';
import { ForgotPassword } from './pages/account/ForgotPassword';
import { ResetPassword } from './pages/account/ResetPassword';
import { VerifyEmail } from './pages/account/VerifyEmail';
import { UnverifiedBanner } from './components/UnverifiedBanner';
import { Billing } from './pages/Billing';
import { Deploy, Pricing } from './pages/Plans';
import { TopupReturn } from './pages/TopupReturn';
import { Wallet } from './pages/Wallet';
import { AdminServer } from './pages/admin/AdminServer';
import { AdminServers } from './pages/admin/AdminServers';
import { AdminAudit } from './pages/admin/AdminAudit';
import { ServerDetail } from './pages/server/ServerPage';
import { Servers } from './pages/Servers';
import { SshKeys } from './pages/SshKeys';
import { useAppInfo, useMe, useVersion } from './session';
import { ErrorMessage, Loading, PageTitle } from './ui';
import './styles.css';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A 4xx will not change by asking again; network blips and 5xx get two more tries.
      retry: (count, err) => !(err instanceof ApiError && err.status >= 400 && err.status < 500) && count < 2,
      refetchOnWindowFocus: true,
    },
  },
});

function RequireUser({ admin = false, children }: { admin?: boolean; children: ReactNode }) {
  const me = useMe();
  const [location] = useLocation();
  if (me.isPending) return <Loading what="your account" />;
  if (me.error) return <ErrorMessage error={me.error} />;
  if (!me.data)
    return <Redirect to={`/signin?next=${encodeURIComponent(location + window.location.search)}`} />;
  if (admin && me.data.user.role !== 'admin') {
    return (
      <section className="narrow">
        <PageTitle>Not available</PageTitle>
        <p>
          This page is for administrators. <Link href="/wallet">Go to your wallet</Link>.
        </p>
      </section>
    );
  }
  return <>{children}</>;
}

function Header() {
  const me = useMe();
  const client = useQueryClient();
  const [, navigate] = useLocation();
  const user = me.data?.user;
  async function signOut() {
    await api.post('/api/auth/logout').catch(() => undefined);
    client.clear();
    client.setQueryData(['me'], null);
    navigate('/signin');
  }
  return (
    <header className="top">
      <Link href="/" className="brand">
        OzVPS
      </Link>
      <nav aria-label="Main">
        <Link href="/pricing">Pricing</Link>
        {user && (
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
            <button type="button" className="link" onClick={() => void signOut()}>
              Sign out
            </button>
          </>
        ) : (
          !me.isPending && (
            <>
              <Link href="/signin">Sign in</Link> <Link href="/signup">Sign up</Link>
            </>
          )
        )}
      </div>
    </header>
  );
}

function AccountBanner() {
  // Re-rendered on navigation, like the Header: sign-up and sign-in clear the query cache and put a
  // new ['me'] in it, which an observer of the cleared query would not hear about.
  useLocation();
  const me = useMe();
  return me.data ? <UnverifiedBanner user={me.data.user} /> : null;
}

function Footer() {
  const version = useVersion();
  return (
    <footer className="bottom muted small">
      OzVPS panel{version.data ? ` v${version.data.version} · ${version.data.commit.slice(0, 12)}` : ''}
    </footer>
  );
}

function SandboxBanner() {
  const app = useAppInfo();
  if (!app.data?.sandbox) return null;
  return (
    <div className="sandbox" role="note">
      Sandbox: payments and servers here are simulated by local fakes of Stripe and VirtFusion. No real money
      moves.
    </div>
  );
}

function Home() {
  const me = useMe();
  if (me.isPending) return <Loading what="the panel" />;
  return <Redirect to={me.data ? '/wallet' : '/pricing'} />;
}

function App() {
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <SandboxBanner />
      <Header />
      <AccountBanner />
      <main id="main">
        <Switch>
          <Route path="/" component={Home} />
          <Route path="/signin" component={SignIn} />
          <Route path="/signup" component={SignUp} />
          <Route path="/pricing" component={Pricing} />
          <Route path="/forgot-password" component={ForgotPassword} />
          <Route path="/reset-password" component={ResetPassword} />
          <Route path="/verify-email" component={VerifyEmail} />
          <Route path="/account">
            <RequireUser>
              <Account />
            </RequireUser>
          </Route>
          <Route path="/wallet/topup/return">
            <RequireUser>
              <TopupReturn sessionId={new URLSearchParams(window.location.search).get('session_id')} />
            </RequireUser>
          </Route>
          <Route path="/wallet">
            <RequireUser>
              <Wallet />
            </RequireUser>
          </Route>
          <Route path="/deploy">
            <RequireUser>
              <Deploy />
            </RequireUser>
          </Route>
          <Route path="/servers">
            <RequireUser>
              <Servers />
            </RequireUser>
          </Route>
          <Route path="/servers/:id">
            {(params) => (
              <RequireUser>
                <ServerDetail id={params.id} />
              </RequireUser>
            )}
          </Route>
          <Route path="/ssh-keys">
            <RequireUser>
              <SshKeys />
            </RequireUser>
          </Route>
          <Route path="/billing">
            <RequireUser>
              <Billing />
            </RequireUser>
          </Route>
          <Route path="/admin">
            <Redirect to="/admin/users" />
          </Route>
          <Route path="/admin/users">
            <RequireUser admin>
              <AdminUsers />
            </RequireUser>
          </Route>
          <Route path="/admin/users/:id">
            {(params: { id: string }) => (
              <RequireUser admin>
                <AdminUser id={params.id} />
              </RequireUser>
            )}
          </Route>
          <Route path="/admin/servers">
            <RequireUser admin>
              <AdminServers />
            </RequireUser>
          </Route>
          <Route path="/admin/servers/:id">
            {(params: { id: string }) => (
              <RequireUser admin>
                <AdminServer id={params.id} />
              </RequireUser>
            )}
          </Route>
          <Route path="/admin/plans">
            <RequireUser admin>
              <AdminPlans />
            </RequireUser>
          </Route>
          <Route path="/admin/stripe">
            <RequireUser admin>
              <AdminStripe />
            </RequireUser>
          </Route>
          <Route path="/admin/mail">
            <RequireUser admin>
              <AdminMail />
            </RequireUser>
          </Route>
          <Route path="/admin/mail/:id">
            {(params: { id: string }) => (
              <RequireUser admin>
                <AdminMailMessage id={params.id} />
              </RequireUser>
            )}
          </Route>
          <Route path="/admin/audit">
            <RequireUser admin>
              <AdminAudit />
            </RequireUser>
          </Route>
          <Route>
            <section className="narrow">
              <PageTitle>Page not found</PageTitle>
              <Link href="/">Go to the start page</Link>
            </section>
          </Route>
        </Switch>
      </main>
      <Footer />
    </>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
