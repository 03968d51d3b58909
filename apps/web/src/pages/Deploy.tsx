import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { FormEvent, useRef, useState } from 'react';
import { useLocation, useSearch } from 'wouter';
import { api, ApiError, DeployAnswer, OsTemplate, PublicPlan, WalletView } from '../api';
import { Specs } from '../components/PlanCards';
import { QueryState } from '../components/QueryState';
import { SshKeyChoice } from '../components/server/Reinstall';
import { hostnameProblem } from '../hostname';
import { formatMoney } from '../money';
import { queries } from '../queries';
import { ErrorMessage, Loading, newRequestKey, PageTitle } from '../ui';

const templateLabel = (t: OsTemplate) => [t.name, t.version, t.variant].filter(Boolean).join(' ');

interface DeployRequest {
  planId: number;
  osTemplateId: number;
  hostname: string;
  sshKeyIds?: number[];
  idempotencyKey: string;
  topUpIfShort?: true;
}

export function Deploy() {
  const plans = useQuery(queries.plans());
  const wallet = useQuery(queries.wallet());
  const both = {
    isPending: plans.isPending || wallet.isPending,
    error: plans.error ?? wallet.error,
    data: plans.data && wallet.data ? { plans: plans.data.plans, wallet: wallet.data } : undefined,
    refetch: () => Promise.all([plans.refetch(), wallet.refetch()]),
  };
  return (
    <section>
      <PageTitle>Deploy a server</PageTitle>
      <QueryState
        query={both}
        what="plans"
        isEmpty={(d) => d.plans.length === 0}
        empty={<p>No plans are on sale right now. Please check back soon.</p>}
      >
        {(d) => <DeployForm plans={d.plans} wallet={d.wallet} />}
      </QueryState>
    </section>
  );
}

function DeployForm({ plans, wallet }: { plans: PublicPlan[]; wallet: WalletView }) {
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const initial = Number(new URLSearchParams(useSearch()).get('plan')) || null;
  const [planId, setPlanId] = useState<number | null>(initial);
  const [templateId, setTemplateId] = useState<number | null>(null);
  const [hostname, setHostname] = useState('');
  const [hostnameTouched, setHostnameTouched] = useState(false);
  const [sshKeyIds, setSshKeyIds] = useState<number[]>([]);
  // One key per intended deploy: a double click or a retry after a lost answer is the same deploy.
  const deployKey = useRef<string | null>(null);
  const templates = useQuery(queries.templates(planId));
  const deploy = useMutation({
    mutationFn: (body: Omit<DeployRequest, 'idempotencyKey'>) =>
      api.post<DeployAnswer>('/api/servers', {
        ...body,
        idempotencyKey: (deployKey.current ??= newRequestKey()),
      }),
    onSuccess: async (answer) => {
      deployKey.current = null;
      await queryClient.invalidateQueries({ queryKey: queries.wallet().queryKey });
      if (answer.server.status === 'awaiting_funds' && answer.topup) {
        // Stays pending while the browser leaves for Stripe.
        window.location.assign(answer.topup.checkoutUrl);
        return new Promise<void>(() => undefined);
      }
      navigate(`/servers/${answer.server.id}`);
    },
    onError: (err) => {
      // A refusal (short wallet, bad hostname) is a new attempt next time; a lost answer is not.
      if (err instanceof ApiError && err.status >= 400 && err.status < 500) deployKey.current = null;
    },
  });

  const plan = plans.find((p) => p.id === planId) ?? null;
  const { balanceCents, currency, topup } = wallet;
  const shortCents = plan ? Math.max(0, plan.priceMonthlyCents - balanceCents) : 0;
  // The shortfall, but at least the smallest top-up (the server computes the same).
  const topupCents = Math.max(shortCents, topup.minCents);
  const chosenTemplate = templates.data?.templates.find((t) => t.id === templateId) ?? null;
  const hostnameError = hostnameProblem(hostname);
  const ready = plan !== null && chosenTemplate !== null && hostnameError === null && !deploy.isPending;

  function submit(event: FormEvent) {
    event.preventDefault();
    setHostnameTouched(true);
    if (!ready) return;
    deploy.mutate({
      planId: plan.id,
      osTemplateId: chosenTemplate.id,
      hostname: hostname.trim().toLowerCase(),
      ...(sshKeyIds.length ? { sshKeyIds } : {}),
      ...(shortCents > 0 ? { topUpIfShort: true as const } : {}),
    });
  }

  const showHostnameError = hostnameError !== null && (hostnameTouched || hostname !== '');
  return (
    <form className="stack" onSubmit={submit}>
      <fieldset className="plans">
        <legend>Choose a plan</legend>
        {plans.map((p) => (
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
      {!plan && <p className="muted">Choose a plan above to continue.</p>}
      {plan && (
        <>
          {templates.isPending ? (
            <Loading what="operating systems" />
          ) : templates.error ? (
            <ErrorMessage error={templates.error} onRetry={() => void templates.refetch()} />
          ) : (
            <label>
              Operating system
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
            </label>
          )}
          <label>
            Hostname
            <input
              name="hostname"
              value={hostname}
              onChange={(e) => {
                setHostname(e.target.value);
                deployKey.current = null;
              }}
              onBlur={() => setHostnameTouched(true)}
              placeholder="server1.example.com"
              autoComplete="off"
              autoCapitalize="off"
              spellCheck={false}
              required
              aria-invalid={showHostnameError}
              aria-describedby="hostname-help"
            />
          </label>
          <p id="hostname-help" className={showHostnameError ? 'field-error' : 'muted small'}>
            {showHostnameError
              ? hostnameError
              : 'Letters, digits, hyphens and dots, like server1.example.com.'}
          </p>
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
              <p className="notice">
                Your balance is {formatMoney(shortCents, currency)} short. Top up and the server is deployed
                as soon as Stripe confirms the payment.
              </p>
              <button type="submit" disabled={!ready || !topup.enabled}>
                Top up {formatMoney(topupCents, currency)} & deploy
              </button>
              {!topup.enabled && <p className="muted small">Card top-ups are not available on this panel.</p>}
            </>
          ) : (
            <button type="submit" disabled={!ready}>
              {deploy.isPending ? 'Deploying…' : 'Deploy'}
            </button>
          )}
          <ErrorMessage error={deploy.error} />
        </>
      )}
    </form>
  );
}
