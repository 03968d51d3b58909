import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { api, PublicPlan } from '../api';
import { formatMoney } from '../money';
import { useAppInfo, useMe } from '../session';
import { ErrorMessage, Loading, PageTitle } from '../ui';
import { startTopup, useWallet } from './Wallet';

export function usePlans() {
  return useQuery({ queryKey: ['plans'], queryFn: () => api.get<{ plans: PublicPlan[] }>('/api/plans') });
}

const gb = (mb: number) => (mb >= 1024 ? `${+(mb / 1024).toFixed(1)} GB` : `${mb} MB`);

function Specs({ plan }: { plan: PublicPlan }) {
  return (
    <ul className="specs">
      <li>{plan.vcpu} vCPU</li>
      <li>{gb(plan.memoryMb)} memory</li>
      <li>{plan.storageGb} GB storage</li>
      <li>{plan.trafficGb ? `${plan.trafficGb} GB traffic` : 'Unmetered traffic'}</li>
      {plan.networkSpeedOutMbps ? <li>{plan.networkSpeedOutMbps} Mbps network</li> : null}
    </ul>
  );
}

/** Public: every plan on sale, as VirtFusion describes it and at the price an admin set. */
export function Pricing() {
  const plans = usePlans();
  const app = useAppInfo();
  const currency = app.data?.currency ?? 'aud';
  return (
    <section>
      <PageTitle>Pricing</PageTitle>
      {plans.isPending ? (
        <Loading what="plans" />
      ) : plans.error ? (
        <ErrorMessage error={plans.error} />
      ) : plans.data.plans.length === 0 ? (
        <p>No plans are on sale right now. Please check back soon.</p>
      ) : (
        <div className="plans">
          {plans.data.plans.map((p) => (
            <article className="card plan" key={p.id} data-testid={`plan-${p.id}`}>
              <h2>{p.name}</h2>
              {p.description && <p className="muted">{p.description}</p>}
              <p className="price">
                <strong>{formatMoney(p.priceMonthlyCents, currency)}</strong> / month
              </p>
              <Specs plan={p} />
              <Link className="button" href={`/deploy?plan=${p.id}`}>
                Deploy
              </Link>
            </article>
          ))}
        </div>
      )}
    </section>
  );
}

export function Deploy() {
  const plans = usePlans();
  const wallet = useWallet();
  const me = useMe();
  const initial = Number(new URLSearchParams(window.location.search).get('plan')) || null;
  const [planId, setPlanId] = useState<number | null>(initial);
  const [error, setError] = useState<unknown>(null);
  if (plans.isPending || wallet.isPending || me.isPending) return <Loading what="plans" />;
  if (plans.error || wallet.error) return <ErrorMessage error={plans.error ?? wallet.error} />;
  const plan = plans.data.plans.find((p) => p.id === planId) ?? null;
  const { balanceCents, currency, topup } = wallet.data;
  const shortCents = plan ? Math.max(0, plan.priceMonthlyCents - balanceCents) : 0;
  // The shortfall, but at least the smallest top-up and at most the largest.
  const topupCents = Math.min(topup.maxCents, Math.max(shortCents, topup.minCents));
  return (
    <section>
      <PageTitle>Deploy a server</PageTitle>
      <fieldset className="plans">
        <legend>Choose a plan</legend>
        {plans.data.plans.map((p) => (
          <label className={`card plan selectable ${p.id === planId ? 'selected' : ''}`} key={p.id}>
            <input
              type="radio"
              name="plan"
              value={p.id}
              checked={p.id === planId}
              onChange={() => setPlanId(p.id)}
            />
            <strong>{p.name}</strong> {formatMoney(p.priceMonthlyCents, currency)} / month
            <Specs plan={p} />
          </label>
        ))}
      </fieldset>
      {plan && (
        <div className="stack">
          <p>
            First month: <strong>{formatMoney(plan.priceMonthlyCents, currency)}</strong>, paid from your
            wallet ({formatMoney(balanceCents, currency)}).
          </p>
          {shortCents > 0 ? (
            <>
              <p className="notice">Your balance is {formatMoney(shortCents, currency)} short.</p>
              <button
                type="button"
                disabled={!topup.enabled}
                onClick={() => void startTopup(topupCents).catch(setError)}
              >
                Top up {formatMoney(topupCents, currency)} & deploy
              </button>
            </>
          ) : (
            <>
              <button type="button" disabled aria-describedby="deploy-soon">
                Deploy
              </button>
              <p id="deploy-soon" className="muted small">
                Deploying from the panel opens with the servers feature; nothing is charged until then.
              </p>
            </>
          )}
          <ErrorMessage error={error} />
        </div>
      )}
    </section>
  );
}
