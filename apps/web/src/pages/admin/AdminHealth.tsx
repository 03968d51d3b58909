import { useQuery } from '@tanstack/react-query';
import { api } from '../../api';
import { formatDate } from '../../money';
import { ErrorMessage, Loading, PageTitle } from '../../ui';
import { AdminNav } from '../../components/AdminNav';

type CheckStatus = 'ok' | 'attention' | 'off';

interface Reachability {
  status: CheckStatus;
  configured: boolean;
  reachable: boolean | null;
  latencyMs: number | null;
  error: string | null;
}

/** The health report (GET /api/admin/health), the same as `ozvpsctl health --json`. */
export interface HealthView {
  checkedAt: string;
  ok: boolean;
  attention: string[];
  jobs: {
    name: string;
    cron: string;
    status: CheckStatus;
    lastRun: { startedAt: string; finishedAt: string | null; outcome: string; error: string | null } | null;
    lastSuccessAt: string | null;
    lastFailure: { startedAt: string; error: string | null } | null;
    nextRunAt: string;
    intervalMs: number;
    late: boolean;
  }[];
  webhooks: {
    status: CheckStatus;
    last24h: Record<string, number>;
    received24h: number;
    failed24h: number;
    refused24h: number;
    signaturesFailingNow: boolean;
  };
  virtfusion: Reachability;
  stripe: Reachability;
  database: { status: CheckStatus; sizeBytes: number };
  ledger: { status: CheckStatus; walletsChecked: number; drifted: number };
  outbox: {
    status: CheckStatus;
    pending: number;
    oldestPendingAt: string | null;
    held: number;
    dead: number;
    dead24h: number;
    lastSentAt: string | null;
  };
  backups: {
    status: CheckStatus;
    configured: boolean;
    newestAt: string | null;
    ageHours: number | null;
    count: number;
  };
}

const when = (iso: string | null | undefined) => (iso ? formatDate(iso) : '—');

function Status({ status }: { status: CheckStatus }) {
  const label = status === 'ok' ? 'OK' : status === 'off' ? 'Not configured' : 'Needs attention';
  return <span className={`status status-${status}`}>{label}</span>;
}

function reach(r: Reachability): string {
  if (!r.configured) return 'not configured';
  return r.reachable ? `answered in ${r.latencyMs} ms` : `unreachable: ${r.error}`;
}

export function AdminHealth() {
  const health = useQuery({
    queryKey: ['admin-health'],
    queryFn: () => api.get<{ health: HealthView }>('/api/admin/health'),
  });
  const h = health.data?.health;

  return (
    <section>
      <AdminNav />
      <PageTitle>Health</PageTitle>
      {health.isPending && <Loading what="the health checks" />}
      {health.error && <ErrorMessage error={health.error} />}
      {h && (
        <>
          {h.ok ? (
            <p role="status">All well, checked {when(h.checkedAt)}.</p>
          ) : (
            <div role="alert" className="notice error">
              <p>Needs attention (checked {when(h.checkedAt)}):</p>
              <ul>
                {h.attention.map((a) => (
                  <li key={a}>{a}</li>
                ))}
              </ul>
            </div>
          )}
          <button type="button" onClick={() => void health.refetch()} disabled={health.isFetching}>
            Check again
          </button>
          <h2>Jobs</h2>
          <div className="table-wrap">
            <table aria-label="Jobs">
              <thead>
                <tr>
                  <th>Job</th>
                  <th>Status</th>
                  <th>Last run</th>
                  <th>Next run</th>
                  <th>Last failure</th>
                </tr>
              </thead>
              <tbody>
                {h.jobs.map((j) => (
                  <tr key={j.name} className={j.status === 'attention' ? 'warning' : undefined}>
                    <td>{j.name}</td>
                    <td>
                      <Status status={j.status} />
                      {j.late && ' late: not run for twice its interval'}
                    </td>
                    <td>{j.lastRun ? `${when(j.lastRun.startedAt)} (${j.lastRun.outcome})` : 'never'}</td>
                    <td>{when(j.nextRunAt)}</td>
                    <td>
                      {j.lastFailure ? `${when(j.lastFailure.startedAt)}: ${j.lastFailure.error ?? ''}` : '—'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <h2>Checks</h2>
          <div className="table-wrap">
            <table aria-label="Checks">
              <tbody>
                <tr>
                  <th scope="row">Stripe webhooks (24 h)</th>
                  <td>
                    <Status status={h.webhooks.status} />
                  </td>
                  <td>
                    {h.webhooks.received24h} received, {h.webhooks.failed24h} not handled,{' '}
                    {h.webhooks.refused24h} refused
                    {h.webhooks.signaturesFailingNow && ': signatures are failing now'}
                  </td>
                </tr>
                <tr>
                  <th scope="row">VirtFusion</th>
                  <td>
                    <Status status={h.virtfusion.status} />
                  </td>
                  <td>{reach(h.virtfusion)}</td>
                </tr>
                <tr>
                  <th scope="row">Stripe</th>
                  <td>
                    <Status status={h.stripe.status} />
                  </td>
                  <td>{reach(h.stripe)}</td>
                </tr>
                <tr>
                  <th scope="row">Ledger</th>
                  <td>
                    <Status status={h.ledger.status} />
                  </td>
                  <td>
                    {h.ledger.walletsChecked} wallets checked, {h.ledger.drifted} disagree with their ledger
                  </td>
                </tr>
                <tr>
                  <th scope="row">Outbox</th>
                  <td>
                    <Status status={h.outbox.status} />
                  </td>
                  <td>
                    {h.outbox.pending} pending (oldest {when(h.outbox.oldestPendingAt)}), {h.outbox.held}{' '}
                    held, {h.outbox.dead} dead ({h.outbox.dead24h} in 24 h), last sent{' '}
                    {when(h.outbox.lastSentAt)}
                  </td>
                </tr>
                <tr>
                  <th scope="row">Backups</th>
                  <td>
                    <Status status={h.backups.status} />
                  </td>
                  <td>
                    {!h.backups.configured
                      ? 'BACKUP_DIR is not set'
                      : h.backups.newestAt
                        ? `newest ${when(h.backups.newestAt)} (${h.backups.ageHours} h old), ${h.backups.count} kept`
                        : 'no backup yet'}
                  </td>
                </tr>
                <tr>
                  <th scope="row">Database</th>
                  <td>
                    <Status status={h.database.status} />
                  </td>
                  <td>{(h.database.sizeBytes / 1048576).toFixed(1)} MB</td>
                </tr>
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
