import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { FormEvent, useRef, useState } from 'react';
import { Link } from 'wouter';
import { AdminPlan, api, UserView } from '../api';
import { formatDate, formatMoney, parseDollars } from '../money';
import { AdminNav } from '../components/AdminNav';
import { useAppInfo } from '../session';
import { ErrorMessage, Loading, newRequestKey, PageTitle } from '../ui';
import { History } from './Wallet';
import { AdminUserActions } from './admin/AdminUserActions';
import { AdminUserServers } from './admin/AdminUserServers';

export function AdminUsers() {
  const currency = useAppInfo().data?.currency ?? 'aud';
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const users = useQuery({
    queryKey: ['admin-users', search],
    queryFn: () =>
      api.get<{ users: UserView[] }>(`/api/admin/users?limit=100&q=${encodeURIComponent(search)}`),
  });
  return (
    <section>
      <AdminNav />
      <PageTitle>Users</PageTitle>
      <form
        role="search"
        className="inline"
        onSubmit={(e) => {
          e.preventDefault();
          setSearch(q.trim());
        }}
      >
        <label>
          Search by email or name
          <input name="q" type="search" value={q} onChange={(e) => setQ(e.target.value)} />
        </label>
        <button type="submit">Search</button>
      </form>
      {users.isPending ? (
        <Loading what="users" />
      ) : users.error ? (
        <ErrorMessage error={users.error} />
      ) : users.data.users.length === 0 ? (
        <p className="muted">No users match.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col" className="num">
                  Balance
                </th>
                <th scope="col">Joined</th>
              </tr>
            </thead>
            <tbody>
              {users.data.users.map((u) => (
                <tr key={u.id}>
                  <td>
                    <Link href={`/admin/users/${u.id}`}>{u.email}</Link>
                  </td>
                  <td>{u.name ?? ''}</td>
                  <td>
                    {u.role}
                    {u.disabledAt && <strong> · disabled</strong>}
                  </td>
                  <td className="num">
                    {u.balanceCents === undefined ? '' : formatMoney(u.balanceCents, currency)}
                  </td>
                  <td>{formatDate(u.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

interface AdminUserDetail {
  user: UserView;
  wallet: { balanceCents: number; currency: string };
}

function AdjustWallet({ userId, email, currency }: { userId: number; email: string; currency: string }) {
  const queryClient = useQueryClient();
  const [direction, setDirection] = useState<'credit' | 'debit'>('credit');
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [confirming, setConfirming] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  // One key per intended change: a double click or a retry of the same change is applied once by
  // the server; editing the form makes it a new change.
  const requestKey = useRef<string | null>(null);
  const edit =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      requestKey.current = null;
      set(value);
    };
  const adjust = useMutation({
    mutationFn: (amountCents: number) =>
      api.post(`/api/admin/users/${userId}/wallet/adjustments`, {
        direction,
        amountCents,
        reason: reason.trim(),
        requestKey: (requestKey.current ??= newRequestKey()),
        ...(direction === 'debit' ? { confirm: true } : {}),
      }),
    onSuccess: async (_, amountCents) => {
      requestKey.current = null;
      setDone(`${direction === 'credit' ? 'Credited' : 'Deducted'} ${formatMoney(amountCents, currency)}.`);
      setAmount('');
      setReason('');
      setConfirming(null);
      await queryClient.invalidateQueries({ queryKey: ['admin-user', userId] });
      await queryClient.invalidateQueries({ queryKey: ['transactions'] });
    },
    onError: (err) => {
      setConfirming(null);
      setError(err);
    },
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setDone(null);
    const cents = parseDollars(amount);
    if (cents === null || cents < 1)
      return setError(new Error('Enter an amount in dollars and cents, like 10 or 10.50.'));
    if (reason.trim().length < 3)
      return setError(new Error('A reason is required: it is kept in the ledger.'));
    if (direction === 'debit') return setConfirming(cents);
    adjust.mutate(cents);
  }

  return (
    <form onSubmit={submit} className="stack" aria-label="Adjust wallet">
      <fieldset className="inline">
        <legend>Adjust balance</legend>
        {(['credit', 'debit'] as const).map((d) => (
          <label key={d}>
            <input
              type="radio"
              name="direction"
              checked={direction === d}
              onChange={() => edit(setDirection)(d)}
            />{' '}
            {d === 'credit' ? 'Credit' : 'Deduct'}
          </label>
        ))}
      </fieldset>
      <label>
        Amount ({currency.toUpperCase()})
        <input
          name="amount"
          inputMode="decimal"
          required
          value={amount}
          onChange={(e) => edit(setAmount)(e.target.value)}
        />
      </label>
      <label>
        Reason (required, kept in the ledger)
        <input
          name="reason"
          required
          minLength={3}
          value={reason}
          onChange={(e) => edit(setReason)(e.target.value)}
        />
      </label>
      {confirming !== null ? (
        <div className="notice" role="alertdialog" aria-label="Confirm deduction">
          <p>
            Deduct <strong>{formatMoney(confirming, currency)}</strong> from {email}?
          </p>
          <button
            type="button"
            className="danger"
            onClick={() => adjust.mutate(confirming)}
            disabled={adjust.isPending}
          >
            Confirm deduction
          </button>{' '}
          <button type="button" className="secondary" onClick={() => setConfirming(null)}>
            Cancel
          </button>
        </div>
      ) : (
        <button type="submit" disabled={adjust.isPending}>
          {direction === 'credit' ? 'Credit wallet' : 'Deduct…'}
        </button>
      )}
      <ErrorMessage error={error} />
      {done && (
        <p className="notice success" role="status">
          {done}
        </p>
      )}
    </form>
  );
}

export function AdminUser({ id }: { id: string }) {
  const detail = useQuery({
    queryKey: ['admin-user', Number(id)],
    queryFn: () => api.get<AdminUserDetail>(`/api/admin/users/${encodeURIComponent(id)}`),
  });
  return (
    <section>
      <AdminNav />
      {detail.isPending ? (
        <Loading what="the user" />
      ) : detail.error ? (
        <ErrorMessage error={detail.error} />
      ) : (
        <>
          <PageTitle>{detail.data.user.email}</PageTitle>
          <dl className="details">
            <dt>Name</dt>
            <dd>{detail.data.user.name ?? '(none)'}</dd>
            <dt>Role</dt>
            <dd>{detail.data.user.role}</dd>
            <dt>Stripe customer</dt>
            <dd>{detail.data.user.stripeCustomerId ?? '(not linked yet)'}</dd>
            <dt>Balance</dt>
            <dd>
              <strong data-testid="admin-balance">
                {formatMoney(detail.data.wallet.balanceCents, detail.data.wallet.currency)}
              </strong>
            </dd>
          </dl>
          <AdjustWallet
            userId={detail.data.user.id}
            email={detail.data.user.email}
            currency={detail.data.wallet.currency}
          />
          <AdminUserActions user={detail.data.user} />
          <AdminUserServers userId={detail.data.user.id} />
          <h2>Ledger</h2>
          <History
            path={`/api/admin/users/${detail.data.user.id}/transactions`}
            currency={detail.data.wallet.currency}
          />
        </>
      )}
    </section>
  );
}

interface SyncReport {
  created: number;
  updated: number;
  deactivated: number;
  reactivated: number;
  unchanged: number;
}

export function PriceForm({ plan, currency }: { plan: AdminPlan; currency: string }) {
  const queryClient = useQueryClient();
  const [value, setValue] = useState(plan.priceMonthlyCents ? (plan.priceMonthlyCents / 100).toFixed(2) : '');
  const [error, setError] = useState<unknown>(null);
  // Servers already scheduled for another price keep it: the answer says so, and so does this form.
  const [note, setNote] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (cents: number) =>
      api.put<{ scheduledRepricesNote: string | null }>(`/api/admin/plans/${plan.id}/price`, {
        priceMonthlyCents: cents,
      }),
    onSuccess: (answer) => {
      setNote(answer.scheduledRepricesNote);
      return queryClient.invalidateQueries({ queryKey: ['admin-plans'] });
    },
    onError: setError,
  });
  return (
    <form
      className="inline compact"
      onSubmit={(e) => {
        e.preventDefault();
        setError(null);
        setNote(null);
        const cents = parseDollars(value);
        if (cents === null || cents < 1) return setError(new Error('Enter a monthly price, like 12.50.'));
        save.mutate(cents);
      }}
    >
      <label>
        <span className="sr-only">
          Monthly price for {plan.name} ({currency.toUpperCase()})
        </span>
        <input
          name={`price-${plan.id}`}
          inputMode="decimal"
          size={8}
          value={value}
          onChange={(e) => setValue(e.target.value)}
        />
      </label>
      <button type="submit" className="secondary" disabled={save.isPending}>
        Set price
      </button>
      {note && (
        <p role="status" data-testid={`price-note-${plan.id}`}>
          {note} (below, under “Reprice existing servers”).
        </p>
      )}
      <ErrorMessage error={error} />
    </form>
  );
}

export function AdminPlans() {
  const queryClient = useQueryClient();
  const app = useAppInfo();
  const currency = app.data?.currency ?? 'aud';
  const plans = useQuery({
    queryKey: ['admin-plans'],
    queryFn: () => api.get<{ plans: AdminPlan[] }>('/api/admin/plans'),
  });
  const sync = useMutation({
    mutationFn: () => api.post<SyncReport>('/api/admin/plans/sync'),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['admin-plans'] }),
  });
  return (
    <section>
      <AdminNav />
      <PageTitle>Plans</PageTitle>
      <p>
        Plans and their specs come from VirtFusion; only the price is set here. A plan is on sale when
        VirtFusion offers it and it has a price.
      </p>
      <button type="button" onClick={() => sync.mutate()} disabled={sync.isPending}>
        {sync.isPending ? 'Syncing…' : 'Sync now'}
      </button>
      <ErrorMessage error={sync.error} />
      {sync.data && (
        <p className="notice success" role="status" data-testid="sync-report">
          Synced: {sync.data.created} new, {sync.data.updated} updated, {sync.data.deactivated} taken off
          sale, {sync.data.reactivated} back on sale, {sync.data.unchanged} unchanged.
        </p>
      )}
      {plans.isPending ? (
        <Loading what="plans" />
      ) : plans.error ? (
        <ErrorMessage error={plans.error} />
      ) : plans.data.plans.length === 0 ? (
        <p className="muted">No plans yet: sync from VirtFusion.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Plan</th>
                <th scope="col">Package</th>
                <th scope="col">Specs</th>
                <th scope="col">Status</th>
                <th scope="col">Price / month</th>
              </tr>
            </thead>
            <tbody>
              {plans.data.plans.map((p) => (
                <tr
                  key={p.id}
                  className={p.active ? '' : 'inactive'}
                  data-testid={`admin-plan-${p.virtfusionPackageId}`}
                >
                  <td>{p.name}</td>
                  <td>#{p.virtfusionPackageId}</td>
                  <td>
                    {p.vcpu} vCPU · {p.memoryMb} MB · {p.storageGb} GB
                  </td>
                  <td>
                    {p.active
                      ? 'On sale'
                      : !p.present
                        ? 'Gone from VirtFusion'
                        : !p.enabled
                          ? 'Disabled in VirtFusion'
                          : 'No price'}
                  </td>
                  <td>
                    {p.priceMonthlyCents !== null && (
                      <span>{formatMoney(p.priceMonthlyCents, currency)} </span>
                    )}
                    <PriceForm plan={p} currency={currency} />
                    {p.priceMonthlyCents !== null && <RepriceForm plan={p} currency={currency} />}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

interface RepriceView {
  priceCents: number;
  earliest: string;
  noticeDays: number;
  applied: boolean;
  unchanged: number;
  changes: {
    serverId: number;
    hostname: string;
    fromCents: number;
    toCents: number;
    fromDate: string;
    scheduled: { amountCents: number; fromDate: string } | null;
    cancelsScheduled: boolean;
  }[];
  skipped: { serverId: number; hostname: string; status: string; soldAtCents: number }[];
}

/**
 * A plan's new price is for new deploys; moving its running servers to it is this explicit step:
 * preview first (nothing written), then confirm. Each server changes from its first renewal at
 * least REPRICE_NOTICE_DAYS ahead, and its page shows the new price from now on.
 */
export function RepriceForm({ plan, currency }: { plan: AdminPlan; currency: string }) {
  const [fromDate, setFromDate] = useState(() => new Date().toISOString().slice(0, 10));
  const [result, setResult] = useState<RepriceView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const run = useMutation({
    mutationFn: (confirm: boolean) =>
      api.post<RepriceView>(`/api/admin/plans/${plan.id}/reprice`, {
        fromDate,
        ...(confirm ? { confirm } : {}),
      }),
    onSuccess: setResult,
    onError: setError,
  });
  return (
    <details className="reprice">
      <summary>Reprice existing servers</summary>
      <form
        className="inline compact"
        onSubmit={(e) => {
          e.preventDefault();
          setError(null);
          run.mutate(false);
        }}
      >
        <label>
          Not before{' '}
          <input
            type="date"
            name={`reprice-from-${plan.id}`}
            value={fromDate}
            onChange={(e) => {
              setFromDate(e.target.value);
              setResult(null);
            }}
          />
        </label>
        <button type="submit" className="secondary" disabled={run.isPending}>
          Preview
        </button>
      </form>
      {result && (
        <div role="status" data-testid={`reprice-result-${plan.id}`}>
          <p>
            {result.applied ? 'Changed: ' : 'Would change: '}
            {result.changes.length} server(s) to {formatMoney(result.priceCents, currency)} a month, each from
            its first renewal on or after {formatDate(result.earliest)} ({result.noticeDays} days' notice).
            {result.unchanged > 0 && ` ${result.unchanged} already at this price.`}
          </p>
          {result.changes.length > 0 && (
            <ul>
              {result.changes.map((c) => (
                <li key={c.serverId}>
                  #{c.serverId} {c.hostname}: {formatMoney(c.fromCents, currency)}
                  {c.scheduled &&
                    ` → ${formatMoney(c.scheduled.amountCents, currency)} (scheduled from ${formatDate(c.scheduled.fromDate)})`}
                  {c.cancelsScheduled
                    ? ` → ${formatMoney(c.toCents, currency)}: cancels the scheduled price`
                    : ` → ${formatMoney(c.toCents, currency)} from ${formatDate(c.fromDate)}`}
                </li>
              ))}
            </ul>
          )}
          {result.skipped.length > 0 && (
            <ul>
              {result.skipped.map((k) => (
                <li key={k.serverId}>
                  #{k.serverId} {k.hostname} skipped: not running yet (sold at{' '}
                  {formatMoney(k.soldAtCents, currency)}
                  ); reprice again once it runs
                </li>
              ))}
            </ul>
          )}
          {!result.applied && result.changes.length > 0 && (
            <button type="button" disabled={run.isPending} onClick={() => run.mutate(true)}>
              Confirm reprice of {result.changes.length} server(s)
            </button>
          )}
        </div>
      )}
      <ErrorMessage error={error} />
    </details>
  );
}

interface StripeStatus {
  configured: boolean;
  mode: 'test' | 'live' | null;
  secretKey: string | null;
  publishableKey: string | null;
  webhookSecrets: string[];
  keysAgree: boolean;
  webhookUrl: string;
  lastEvent: { eventId: string; type: string; outcome: string; receivedAt: string } | null;
  last24h: Record<string, number>;
  signatureFailures24h: number;
  refusedDeliveries24h: Record<string, number>;
  signatureWarning: string | null;
  installationId: string;
  problems: string[];
}

interface StripeEvent {
  eventId: string;
  type: string;
  outcome: string;
  userId: number | null;
  stripeCustomerId: string | null;
  /** The linked user's email, beside the cus_… it belongs to. */
  customerEmail?: string | null;
  amountCents: number | null;
  currency: string | null;
  receivedAt: string;
}

export function AdminStripe() {
  const status = useQuery({
    queryKey: ['stripe-status'],
    queryFn: () => api.get<StripeStatus>('/api/admin/stripe/status'),
  });
  const events = useQuery({
    queryKey: ['stripe-events'],
    queryFn: () => api.get<{ events: StripeEvent[] }>('/api/admin/stripe/events?limit=50'),
  });
  return (
    <section>
      <AdminNav />
      <PageTitle>Stripe</PageTitle>
      {status.isPending ? (
        <Loading what="the Stripe status" />
      ) : status.error ? (
        <ErrorMessage error={status.error} />
      ) : (
        <dl className="details">
          {status.data.signatureWarning && (
            <>
              <dt>Webhook signatures</dt>
              <dd className="error" role="alert">
                {status.data.signatureWarning}
              </dd>
            </>
          )}
          <dt>Configured</dt>
          <dd>{status.data.configured ? `yes, ${status.data.mode} mode` : 'no'}</dd>
          <dt>Secret key</dt>
          <dd>{status.data.secretKey ?? '(not set)'}</dd>
          <dt>Publishable key</dt>
          <dd>{status.data.publishableKey ?? '(not set)'}</dd>
          <dt>Webhook secrets</dt>
          <dd>{status.data.webhookSecrets.join(', ') || '(not set)'}</dd>
          <dt>Webhook URL</dt>
          <dd>
            <code>{status.data.webhookUrl}</code>
          </dd>
          <dt>Last event</dt>
          <dd>
            {status.data.lastEvent
              ? `${status.data.lastEvent.type} (${status.data.lastEvent.outcome}) ${formatDate(status.data.lastEvent.receivedAt)}`
              : 'none received yet'}
          </dd>
          <dt>Last 24 hours</dt>
          <dd>
            {Object.entries(status.data.last24h)
              .map(([k, v]) => `${k}: ${v}`)
              .join(', ') || 'no events'}
          </dd>
          <dt>Refused deliveries, 24 hours</dt>
          <dd>
            {Object.entries(status.data.refusedDeliveries24h)
              .map(([k, v]) => `${k}: ${v}`)
              .join(', ') || 'none'}
          </dd>
          <dt>Installation</dt>
          <dd>
            <code>{status.data.installationId}</code>
          </dd>
          {status.data.problems.length > 0 && (
            <>
              <dt>Problems</dt>
              <dd className="error">{status.data.problems.join('; ')}</dd>
            </>
          )}
        </dl>
      )}
      <h2>Recent events</h2>
      {events.isPending ? (
        <Loading what="events" />
      ) : events.error ? (
        <ErrorMessage error={events.error} />
      ) : events.data.events.length === 0 ? (
        <p className="muted">No events received yet.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Received</th>
                <th scope="col">Type</th>
                <th scope="col">Outcome</th>
                <th scope="col">Customer</th>
                <th scope="col">User</th>
                <th scope="col" className="num">
                  Amount
                </th>
              </tr>
            </thead>
            <tbody>
              {events.data.events.map((e) => (
                <tr
                  key={e.eventId}
                  className={e.outcome === 'unmatched' || e.outcome === 'mismatch' ? 'attention' : ''}
                >
                  <td>{formatDate(e.receivedAt)}</td>
                  <td>{e.type}</td>
                  <td>
                    {e.outcome === 'unmatched' || e.outcome === 'mismatch' ? (
                      <strong>⚠ {e.outcome}</strong>
                    ) : (
                      e.outcome
                    )}
                  </td>
                  <td>
                    {e.stripeCustomerId ?? ''}
                    {e.customerEmail && <span className="small"> · {e.customerEmail}</span>}
                  </td>
                  <td>
                    {e.userId ? <Link href={`/admin/users/${e.userId}`}>#{e.userId}</Link> : 'NOT FOUND'}
                  </td>
                  <td className="num">
                    {e.amountCents !== null && e.currency ? formatMoney(e.amountCents, e.currency) : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
