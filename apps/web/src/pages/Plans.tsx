import { useQuery, useQueryClient } from '@tanstack/react-query';
import { FormEvent, useRef, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { api, ApiError, DeployAnswer, OsTemplate, PublicPlan } from '../api';
import { formatMoney } from '../money';
import { useAppInfo, useMe } from '../session';
import { ErrorMessage, Loading, newRequestKey, PageTitle } from '../ui';
import { SshKeyChoice } from './server/Reinstall';
import { useWallet } from './Wallet';

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

function useTemplates(planId: number | null) {
  return useQuery({
    queryKey: ['templates', planId],
    enabled: planId !== null,
    queryFn: () => api.get<{ templates: OsTemplate[] }>(`/api/plans/${planId}/templates`),
  });
}

const templateLabel = (t: OsTemplate) => [t.name, t.version, t.variant].filter(Boolean).join(' ');

export function Deploy() {
  const plans = usePlans();
  const wallet = useWallet();
  const me = useMe();
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const initial = Number(new URLSearchParams(window.location.search).get('plan')) || null;
  const [planId, setPlanId] = useState<number | null>(initial);
  const [templateId, setTemplateId] = useState<number | null>(null);
  const [hostname, setHostname] = useState('');
  const [sshKeyIds, setSshKeyIds] = useState<number[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  // One key per intended deploy: a double click or a retry after a lost answer is the same deploy.
  const deployKey = useRef<string | null>(null);
  const templates = useTemplates(planId);
  if (plans.isPending || wallet.isPending || me.isPending) return <Loading what="plans" />;
  if (plans.error || wallet.error) return <ErrorMessage error={plans.error ?? wallet.error} />;
  const plan = plans.data.plans.find((p) => p.id === planId) ?? null;
  const { balanceCents, currency, topup } = wallet.data;
  const shortCents = plan ? Math.max(0, plan.priceMonthlyCents - balanceCents) : 0;
  // The shortfall, but at least the smallest top-up (the server computes the same).
  const topupCents = Math.max(shortCents, topup.minCents);
  const chosenTemplate = templates.data?.templates.find((t) => t.id === templateId) ?? null;
  const ready = plan !== null && chosenTemplate !== null && hostname.trim() !== '' && !busy;

  async function deploy(event: FormEvent) {
    event.preventDefault();
    if (!ready) return;
    setBusy(true);
    setError(null);
    try {
      const answer = await api.post<DeployAnswer>('/api/servers', {
        planId: plan!.id,
        osTemplateId: chosenTemplate!.id,
        hostname: hostname.trim(),
        ...(sshKeyIds.length ? { sshKeyIds } : {}),
        idempotencyKey: (deployKey.current ??= newRequestKey()),
        ...(shortCents > 0 ? { topUpIfShort: true } : {}),
      });
      deployKey.current = null;
      await queryClient.invalidateQueries({ queryKey: ['wallet'] });
      if (answer.server.status === 'awaiting_funds' && answer.topup) {
        window.location.assign(answer.topup.checkoutUrl);
        return;
      }
      navigate(`/servers/${answer.server.id}`);
    } catch (err) {
      // A refusal (short wallet, bad hostname) is a new attempt next time; a lost answer is not.
      if (err instanceof ApiError && err.status >= 400 && err.status < 500) deployKey.current = null;
      setError(err);
      setBusy(false);
    }
  }

  return (
    <section>
      <PageTitle>Deploy a server</PageTitle>
      <form className="stack" onSubmit={(e) => void deploy(e)}>
        <fieldset className="plans">
          <legend>Choose a plan</legend>
          {plans.data.plans.map((p) => (
            <label className={`card plan selectable ${p.id === planId ? 'selected' : ''}`} key={p.id}>
              <input
                type="radio"
                name="plan"
                value={p.id}
                checked={p.id === planId}
                onChange={() => {
                  setPlanId(p.id);
                  setTemplateId(null);
                }}
              />
              <strong>{p.name}</strong> {formatMoney(p.priceMonthlyCents, currency)} / month
              <Specs plan={p} />
            </label>
          ))}
        </fieldset>
        {plan && (
          <>
            <label>
              Operating system
              {templates.isPending ? (
                <Loading what="operating systems" />
              ) : templates.error ? (
                <ErrorMessage error={templates.error} />
              ) : (
                <select
                  value={templateId ?? ''}
                  onChange={(e) => setTemplateId(Number(e.target.value) || null)}
                  required
                >
                  <option value="">Choose…</option>
                  {templates.data.templates.map((t) => (
                    <option key={t.id} value={t.id}>
                      {templateLabel(t)}
                      {t.eol ? ' (end of life)' : ''}
                    </option>
                  ))}
                </select>
              )}
            </label>
            <label>
              Hostname
              <input
                value={hostname}
                onChange={(e) => setHostname(e.target.value)}
                placeholder="server1.example.com"
                autoComplete="off"
                spellCheck={false}
                required
              />
            </label>
            <SshKeyChoice
              chosen={sshKeyIds}
              onChange={(ids) => {
                // Other keys make it another deploy, not a retry of the last one.
                deployKey.current = null;
                setSshKeyIds(ids);
              }}
            />
            <p>
              First month: <strong>{formatMoney(plan.priceMonthlyCents, currency)}</strong>, paid from your
              wallet ({formatMoney(balanceCents, currency)}). It renews monthly from your wallet.
            </p>
            {shortCents > 0 ? (
              <>
                <p className="notice">Your balance is {formatMoney(shortCents, currency)} short.</p>
                <button type="submit" disabled={!ready || !topup.enabled}>
                  Top up {formatMoney(topupCents, currency)} & deploy
                </button>
                {!topup.enabled && (
                  <p className="muted small">Card top-ups are not available on this panel.</p>
                )}
              </>
            ) : (
              <button type="submit" disabled={!ready}>
                {busy ? 'Deploying…' : 'Deploy'}
              </button>
            )}
            <ErrorMessage error={error} />
          </>
        )}
      </form>
    </section>
  );
}
