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
import { AdminForecast } from './pages/admin/AdminForecast';
import { AdminHealth } from './pages/admin/AdminHealth';
import { AdminMail, AdminMailMessage } from './pages/admin/AdminMail';
import { SignIn, SignUp } from './pages/Auth';
import { TwoFactorPage } from './pages/account/TwoFactor';
import { SignInCode } from './pages/SignInCode';
import { Account } from './pages/account/Account';
import { ForgotPassword } from './pages/account/ForgotPassword';
import { ResetPassword } from './pages/account/ResetPassword';
import { VerifyEmail } from './pages/account/VerifyEmail';
import { UnverifiedBanner } from './components/UnverifiedBanner';
import { Billing } from './pages/Billing';
import { Deploy } from './pages/Deploy';
import { Pricing } from './pages/Pricing';
import { TopupReturn } from './pages/TopupReturn';
import { Wallet } from './pages/Wallet';
import { AdminServer } from './pages/admin/AdminServer';
import { AdminServers } from './pages/admin/AdminServers';
import { AdminAudit } from './pages/admin/AdminAudit';
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

function RequireUser({
  admin = false,
  enrolment = false,
  children,
}: {
  admin?: boolean;
  /** Also for an admin who must set up two-factor sign-in first (everything else sends them there). */
  enrolment?: boolean;
  children: ReactNode;
}) {
  const me = useMe();
  const [location] = useLocation();
  const search = useSearch();
  if (me.isPending) return <Loading what="your account" />;
  const here = encodeURIComponent(location + (search ? `?${search}` : ''));
  // A sign-in (password or identity provider) that still owes its code.
  if (me.error instanceof ApiError && me.error.code === 'two_factor_required')
    return <Redirect to={`/signin/code?next=${here}`} />;
  if (me.error) return <ErrorMessage error={me.error} onRetry={() => void me.refetch()} />;
  if (!me.data) return <Redirect to={`/signin?next=${here}`} />;
  if (me.data.twoFactor?.enrolmentRequired && !enrolment) return <Redirect to="/account/two-factor" />;
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

function AccountBanner() {
  // Re-rendered on navigation, like the Header: sign-up and sign-in clear the query cache and put a
  // new ['me'] in it, which an observer of the cleared query would not hear about.
  useLocation();
  const me = useMe();
  return me.data ? <UnverifiedBanner user={me.data.user} /> : null;
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
      <AccountBanner />
      <main id="main">
        <Switch>
          <Route path="/" component={Home} />
          <Route path="/signin" component={SignIn} />
          <Route path="/signup" component={SignUp} />
          <Route path="/signin/code" component={SignInCode} />
          <Route path="/account/two-factor">
            <RequireUser enrolment>
              <TwoFactorPage />
            </RequireUser>
          </Route>
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
          <Route path="/admin/forecast">
            <RequireUser admin>
              <AdminForecast />
            </RequireUser>
          </Route>
          <Route path="/admin/health">
            <RequireUser admin>
              <AdminHealth />
            </RequireUser>
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
