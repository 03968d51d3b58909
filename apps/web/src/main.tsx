import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode, ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { Link, Redirect, Route, Switch, useLocation, useSearch } from 'wouter';
import { ApiError } from './api';
import { Footer, Header, SandboxBanner } from './components/Layout';
import { Home } from './pages/Home';
import { AdminPlans } from './pages/admin/AdminPlans';
import { AdminStripe } from './pages/admin/AdminStripe';
import { AdminUser } from './pages/admin/AdminUser';
import { AdminUsers } from './pages/admin/AdminUsers';
import { AdminMail, AdminMailMessage } from './pages/admin/AdminMail';
import { SignIn, SignUp } from './pages/Auth';
import { Billing } from './pages/Billing';
import { Deploy } from './pages/Deploy';
import { Pricing } from './pages/Pricing';
import { TopupReturn } from './pages/TopupReturn';
import { Wallet } from './pages/Wallet';
import { AdminServer } from './pages/admin/AdminServer';
import { AdminServers } from './pages/admin/AdminServers';
import { ServerDetail } from './pages/ServerDetail';
import { Servers } from './pages/Servers';
import { SshKeys } from './pages/SshKeys';
import { useMe } from './session';
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
  const search = useSearch();
  if (me.isPending) return <Loading what="your account" />;
  if (me.error) return <ErrorMessage error={me.error} onRetry={() => void me.refetch()} />;
  if (!me.data)
    return <Redirect to={`/signin?next=${encodeURIComponent(location + (search ? `?${search}` : ''))}`} />;
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

function TopupReturnRoute() {
  return <TopupReturn sessionId={new URLSearchParams(useSearch()).get('session_id')} />;
}

function App() {
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <SandboxBanner />
      <Header />
      <main id="main">
        <Switch>
          <Route path="/" component={Home} />
          <Route path="/signin" component={SignIn} />
          <Route path="/signup" component={SignUp} />
          <Route path="/pricing" component={Pricing} />
          <Route path="/wallet/topup/return">
            <RequireUser>
              <TopupReturnRoute />
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
