import { useQuery } from '@tanstack/react-query';
import { Link, Redirect } from 'wouter';
import { ApiError } from '../api';
import { PlanCards } from '../components/PlanCards';
import { QueryState } from '../components/QueryState';
import { queries } from '../queries';
import { useAppInfo, useMe } from '../session';
import { PageTitle } from '../ui';

/** The business's public page: its name, its plans, how to reach it, and the way in. */
export function Home() {
  const app = useAppInfo();
  const me = useMe();
  const plans = useQuery(queries.plans());
  const a = app.data;
  const name = a?.businessName ?? 'OzVPS';
  // A sign-in that still owes its code continues there.
  if (me.error instanceof ApiError && me.error.code === 'two_factor_required')
    return <Redirect to="/signin/code" />;
  return (
    <section className="home">
      <PageTitle>{name}</PageTitle>
      <p className="lead">
        Virtual private servers, billed monthly from a prepaid wallet. Top up by card, deploy in minutes, and
        see every charge in your wallet's history.
      </p>
      {me.data ? (
        <p className="inline">
          <Link href="/wallet" className="button">
            Go to your wallet
          </Link>
          <Link href="/deploy" className="button secondary">
            Deploy a server
          </Link>
        </p>
      ) : (
        <div className="cards entry">
          <div className="card">
            <h2>New here?</h2>
            <p>Create an account, top up your wallet and deploy a server.</p>
            <Link href="/signup" className="button">
              Sign up
            </Link>
          </div>
          <div className="card">
            <h2>Already a customer?</h2>
            <p>Sign in to your wallet and servers.</p>
            <Link href="/signin" className="button secondary">
              Sign in
            </Link>
          </div>
        </div>
      )}
      <h2>Plans</h2>
      <QueryState
        query={plans}
        what="plans"
        isEmpty={(d) => d.plans.length === 0}
        empty={<p>No plans are on sale right now. Please check back soon.</p>}
      >
        {(d) => <PlanCards plans={d.plans} currency={a?.currency ?? 'aud'} headingLevel={3} />}
      </QueryState>
      {(a?.supportEmail || a?.termsUrl || a?.privacyUrl) && (
        <>
          <h2>Contact</h2>
          <ul className="plain">
            {a.supportEmail && (
              <li>
                Support: <a href={`mailto:${a.supportEmail}`}>{a.supportEmail}</a>
              </li>
            )}
            {a.termsUrl && (
              <li>
                <a href={a.termsUrl}>Terms of service</a>
              </li>
            )}
            {a.privacyUrl && (
              <li>
                <a href={a.privacyUrl}>Privacy policy</a>
              </li>
            )}
          </ul>
        </>
      )}
    </section>
  );
}
