import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ReactNode, useEffect, useRef } from 'react';
import { Link } from 'wouter';
import { api, ServerAction, ServerView } from '../../api';
import { formatDate } from '../../money';
import { queries } from '../../queries';
import { ErrorMessage, Loading, PageTitle } from '../../ui';
import { PowerControls } from './actions';
import { ConsoleLinks, PeriodEnd, Rename } from './Manage';
import { EventLog, History, Overview } from './Overview';
import { Reinstall } from './Reinstall';
import { ResetPassword } from './ResetPassword';
import {
  actionSentence,
  customerScope,
  detailKey,
  isVirtFusionDown,
  POLL_MS,
  STATUS_LABELS,
  ServerPageData,
  ServerScope,
  useServerDetail,
  useServerState,
} from './server-api';
import { StatusNote } from './StatusNote';
import { Usage } from './Usage';

/** Why no action can run now, in words; null when they can. */
export function blockedReason(data: ServerPageData, action: ServerAction | null): string | null {
  const s = data.server;
  if (s.status === 'suspended')
    return s.suspendReason === 'overdue'
      ? 'The server is suspended because the renewal is unpaid: top up your wallet and it is unsuspended.'
      : 'The server is suspended by our team: please contact support.';
  if (s.status !== 'active') return 'The server is not ready yet: these work once it is running.';
  // The action itself is announced above; this says why the buttons wait.
  if (action?.status === 'running')
    return 'One action at a time: the buttons come back when this one finishes.';
  return null;
}

/** Servers with something to operate: the rest (waiting, failed, cancelled, deleted) show no actions. */
const OPERABLE: ServerView['status'][] = ['active', 'suspended', 'provisioning'];

/**
 * The action this page saw running and how it ended, announced politely. An action that had
 * already finished before the page opened is history, not news.
 */
function ActionStatus({ action }: { action: ServerAction | null }) {
  const seenRunning = useRef(new Set<number>());
  // A running action is always news (also one started elsewhere, before this page opened).
  if (action?.status === 'running') seenRunning.current.add(action.id);
  const news = action && seenRunning.current.has(action.id) ? actionSentence(action) : '';
  return (
    <p
      aria-live="polite"
      data-testid="action-status"
      className={
        news
          ? `notice ${action?.status === 'failed' ? 'error' : action?.status === 'succeeded' ? 'success' : ''}`
          : 'sr-only'
      }
    >
      {news}
    </p>
  );
}

/**
 * One server's page, for its owner (scope from customerScope) or an admin (adminScope, with
 * `adminControls` for suspend/unsuspend/terminate). `pollMs`: how often a running action is asked
 * about (tests make it short).
 */
export function ServerPage({
  scope,
  adminControls,
  pollMs = POLL_MS,
}: {
  scope: ServerScope;
  adminControls?: (data: ServerPageData) => ReactNode;
  pollMs?: number;
}) {
  const queryClient = useQueryClient();
  const detail = useServerDetail(scope, pollMs);
  const status = detail.data?.server.status;
  const state = useServerState(scope, status === 'active' || status === 'suspended', pollMs);
  const action = scope.admin ? (detail.data?.action ?? null) : (state.data?.action ?? null);

  // When an action settles, the server itself may have changed (status, hostname, history).
  const lastRunning = useRef<number | null>(null);
  useEffect(() => {
    if (action?.status === 'running') lastRunning.current = action.id;
    else if (action && lastRunning.current === action.id) {
      lastRunning.current = null;
      void queryClient.invalidateQueries({ queryKey: detailKey(scope) });
      void queryClient.invalidateQueries({ queryKey: queries.traffic(scope).queryKey });
    }
  }, [action, queryClient, scope]);

  if (detail.isPending) return <Loading what="the server" />;
  if (detail.error) return <ErrorMessage error={detail.error} onRetry={() => void detail.refetch()} />;
  const data = detail.data;
  const s = data.server;
  const blocked = blockedReason(data, action);
  return (
    <section className="server-page">
      {scope.admin && (
        <p className="small">
          <Link href="/admin/servers">All servers</Link>
          {data.owner && (
            <>
              {' '}
              · Owner: <Link href={`/admin/users/${data.owner.id}`}>{data.owner.email}</Link>
            </>
          )}
        </p>
      )}
      <PageTitle>{s.hostname}</PageTitle>
      <p role="status" data-testid="server-status">
        {STATUS_LABELS[s.status]}
        {s.cancelAtPeriodEnd && s.status !== 'terminated' ? ' · cancelled at period end' : ''}
      </p>
      {scope.admin ? <AdminStatusNote data={data} /> : <CustomerWaiting id={scope.id} server={s} />}
      <ActionStatus action={action} />
      <Overview
        server={s}
        power={state.data}
        powerUnavailable={!scope.admin && state.isError && isVirtFusionDown(state.error)}
      />
      {OPERABLE.includes(s.status) && (
        <section aria-labelledby="actions-title">
          <h2 id="actions-title">Manage</h2>
          {blocked && (
            <p className="notice" data-testid="actions-blocked">
              {blocked}
            </p>
          )}
          <div className="panels">
            <PowerControls scope={scope} power={state.data?.power} blocked={blocked} />
            {!scope.admin && <ConsoleLinks scope={scope} blocked={blocked} />}
            <ResetPassword scope={scope} blocked={blocked} />
            <Reinstall scope={scope} hostname={s.hostname} blocked={blocked} />
            {!scope.admin && <Rename scope={scope} server={s} blocked={blocked} />}
            {s.status !== 'provisioning' && <PeriodEnd scope={scope} server={s} />}
            {adminControls?.(data)}
          </div>
        </section>
      )}
      {/* A failed deploy has nothing to operate, but an admin may still terminate what VirtFusion kept. */}
      {adminControls && s.status === 'failed' && <div className="panels">{adminControls(data)}</div>}
      {!scope.admin && s.status === 'active' && <Usage scope={scope} />}
      <h2>History</h2>
      <History entries={data.history} />
      {scope.admin && <EventLog events={data.events} />}
      {!scope.admin && (
        <p>
          <Link href="/servers">All servers</Link>
        </p>
      )}
    </section>
  );
}

function AdminStatusNote({ data }: { data: ServerPageData }) {
  const s = data.server;
  if (s.status === 'suspended')
    return (
      <p className="notice error">
        Suspended{s.suspendReason === 'overdue' ? ': the renewal is unpaid' : ' by an admin'}.
      </p>
    );
  if (s.status === 'failed') return <p className="notice error">{s.failureReason ?? 'Setting up failed.'}</p>;
  if (s.overdueSince)
    return <p className="notice error">The renewal due {formatDate(s.overdueSince)} is unpaid.</p>;
  return null;
}

/**
 * Stripe's Cancel leads here with ?checkout=cancelled&token=…: the waiting deploy is cancelled at
 * once, with the token that proves the link is Stripe's. Any other link (no token, a wrong one)
 * cancels nothing: the page shows the waiting deploy with its Pay now and Cancel buttons.
 */
function cancelLinkToken(): string | null {
  const params = new URLSearchParams(window.location.search);
  return params.get('checkout') === 'cancelled' ? params.get('token') || null : null;
}

/** The customer's note on the status, and a waiting deploy's Pay now / Cancel. */
function CustomerWaiting({ id, server: s }: { id: string; server: ServerView }) {
  const queryClient = useQueryClient();
  const key = detailKey(customerScope(id));
  const cancel = useMutation({
    mutationFn: () => api.post<{ server: ServerView }>(`/api/servers/${id}/cancel`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: key }),
  });
  // The cancel on arrival from Stripe's cancel_url; its failure (a forged link) shows nothing.
  const cancelOnArrival = useMutation({
    mutationFn: (token: string) => api.post<{ server: ServerView }>(`/api/servers/${id}/cancel`, { token }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: key }),
  });
  const linkToken = useRef(cancelLinkToken());
  const cancelledOnArrival = useRef(false);
  useEffect(() => {
    if (!linkToken.current || cancelledOnArrival.current) return;
    cancelledOnArrival.current = true;
    cancelOnArrival.mutate(linkToken.current);
  }, [cancelOnArrival]);
  return (
    <>
      {cancelOnArrival.isSuccess && s.status === 'cancelled' && s.topup?.status !== 'credited' ? (
        <p className="notice" data-testid="checkout-cancelled">
          You cancelled the payment, so this deploy is cancelled. Nothing was charged.
        </p>
      ) : (
        <StatusNote server={s} />
      )}
      {s.status === 'awaiting_funds' && (
        <p>
          {s.topup?.checkoutUrl && (
            <a className="button" href={s.topup.checkoutUrl}>
              Pay now
            </a>
          )}{' '}
          <button
            type="button"
            className="secondary"
            disabled={cancel.isPending}
            onClick={() => cancel.mutate()}
          >
            Cancel
          </button>
        </p>
      )}
      <ErrorMessage error={cancel.error} />
    </>
  );
}
