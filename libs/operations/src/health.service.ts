import { Inject, Injectable, Logger } from '@nestjs/common';
import { CronTime } from 'cron';
import {
  APP_CONFIG,
  AppConfig,
  Clock,
  CLOCK,
  JobCounts,
  JobOutcome,
  jobSchedules,
  listBackups,
} from '@ozvps/core';
import { StripeAdminService } from '@ozvps/billing';
import { AdminAlerts } from '@ozvps/notifications';
import { VirtFusionClient } from '@ozvps/virtfusion';
import { WalletService } from '@ozvps/wallet';
import { HealthRepository } from './health.repository';

/** A check's verdict: `off` is a part that is not configured (nothing to watch, nothing wrong). */
export type CheckStatus = 'ok' | 'attention' | 'off';

/** How long a reachability check waits for Stripe or VirtFusion. */
export const REACHABILITY_TIMEOUT_MS = 5_000;
/** A newest backup older than this needs attention (a nightly dump, with slack). */
export const BACKUP_MAX_AGE_HOURS = 26;
/** Mail waiting longer than this (when SMTP is configured) means the sender is not sending. */
export const OUTBOX_MAX_WAIT_MINUTES = 30;

export interface JobHealth {
  name: string;
  cron: string;
  status: CheckStatus;
  lastRun: {
    startedAt: Date;
    finishedAt: Date | null;
    outcome: JobOutcome;
    error: string | null;
    counts: JobCounts | null;
  } | null;
  lastSuccessAt: Date | null;
  lastFailure: { startedAt: Date; error: string | null } | null;
  nextRunAt: Date;
  intervalMs: number;
  /** Not run for twice its interval (or never, on a panel whose jobs have run that long). */
  late: boolean;
}

export interface Reachability {
  status: CheckStatus;
  configured: boolean;
  reachable: boolean | null;
  latencyMs: number | null;
  error: string | null;
}

export interface HealthReport {
  checkedAt: Date;
  ok: boolean;
  /** One sentence per thing that needs attention; empty when all is well. */
  attention: string[];
  jobs: JobHealth[];
  webhooks: {
    status: CheckStatus;
    /** Deliveries recorded in the last 24 h by outcome. */
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
    oldestPendingAt: Date | null;
    held: number;
    dead: number;
    dead24h: number;
    lastSentAt: Date | null;
  };
  backups: {
    status: CheckStatus;
    configured: boolean;
    newestAt: Date | null;
    ageHours: number | null;
    count: number;
  };
}

/** Outcomes of a recorded webhook delivery that mean a payment may not have been handled. */
const FAILED_OUTCOMES = ['failed', 'mismatch', 'unmatched', 'malformed'];

/**
 * Whether everything that should have happened did, and whether what the panel depends on
 * answers: the jobs (from job_runs and their schedules), webhook deliveries, VirtFusion and Stripe
 * (checked with a real call), the database, the ledger (WalletService.verify, as `ozvpsctl wallet
 * verify`), the outbox and the backups. The admin Health page and `ozvpsctl health` show it.
 */
@Injectable()
export class HealthService {
  private readonly logger = new Logger('Health');

  constructor(
    private readonly repo: HealthRepository,
    private readonly wallet: WalletService,
    private readonly stripe: StripeAdminService,
    private readonly virtfusion: VirtFusionClient,
    private readonly alerts: AdminAlerts,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async report(): Promise<HealthReport> {
    const now = this.clock.now();
    const [jobs, webhooks, virtfusion, stripe, database, ledger, outbox] = await Promise.all([
      this.jobs(now),
      this.webhooks(now),
      this.reach(this.virtfusion.isConfigured(), () => this.virtfusion.ping(REACHABILITY_TIMEOUT_MS)),
      this.reach(this.config.stripe !== undefined, () => this.stripe.ping(REACHABILITY_TIMEOUT_MS)),
      this.database(),
      this.ledger(),
      this.outbox(now),
    ]);
    const backups = this.backups(now);

    const attention: string[] = [];
    for (const j of jobs) {
      if (j.lastRun?.outcome === 'failed')
        attention.push(`job ${j.name}: its last run failed: ${j.lastRun.error ?? 'no error recorded'}`);
      if (j.late)
        attention.push(
          j.lastRun
            ? `job ${j.name}: not run since ${j.lastRun.startedAt.toISOString()} (more than twice its interval)`
            : `job ${j.name}: never run (is the panel's API running?)`,
        );
    }
    if (webhooks.failed24h > 0)
      attention.push(
        `webhooks: ${webhooks.failed24h} deliveries in 24 h not handled (failed, mismatch, unmatched or malformed)`,
      );
    if (webhooks.signaturesFailingNow)
      attention.push('webhooks: signatures are failing now: check STRIPE_WEBHOOK_SECRET');
    if (virtfusion.status === 'attention') attention.push(`VirtFusion unreachable: ${virtfusion.error}`);
    if (stripe.status === 'attention') attention.push(`Stripe unreachable: ${stripe.error}`);
    if (ledger.status === 'attention')
      attention.push(
        `ledger: ${ledger.drifted} wallet(s) whose balance is not the sum of their rows (ozvpsctl wallet verify)`,
      );
    if (outbox.dead24h > 0)
      attention.push(`outbox: ${outbox.dead24h} message(s) dead in 24 h (ozvpsctl mail list --status dead)`);
    if (outbox.status === 'attention' && outbox.oldestPendingAt)
      attention.push(
        `outbox: mail waiting since ${outbox.oldestPendingAt.toISOString()}: the sender is not sending`,
      );
    if (backups.status === 'attention')
      attention.push(
        backups.newestAt
          ? `backups: the newest is ${backups.ageHours} h old (more than ${BACKUP_MAX_AGE_HOURS} h)`
          : `backups: none in ${this.config.backups.dir}`,
      );
    return {
      checkedAt: now,
      ok: attention.length === 0,
      attention,
      jobs,
      webhooks,
      virtfusion,
      stripe,
      database,
      ledger,
      outbox,
      backups,
    };
  }

  /**
   * One admin alert for each job that is late, once per lateness (its key names the last run it
   * is late after), however often this is called. Returns the jobs alerted now.
   */
  async alertLateJobs(): Promise<string[]> {
    const alerted: string[] = [];
    for (const j of await this.jobs(this.clock.now())) {
      if (!j.late) continue;
      if (await this.alerts.jobLate(j.name, j.lastRun?.startedAt ?? null, j.intervalMs)) alerted.push(j.name);
    }
    return alerted;
  }

  /** Per scheduled job: its last run, last success and failure, next run, and whether it is late. */
  async jobs(now: Date): Promise<JobHealth[]> {
    const schedules = jobSchedules(this.config);
    const { last, lastFailed, lastSucceeded } = await this.repo.jobRuns(schedules.map((s) => s.name));
    // A job never run is late only on a panel whose jobs have been running for that long.
    const first = await this.repo.firstJobRunAt();
    return schedules.map(({ name, cron }) => {
      const time = new CronTime(cron);
      const nextRunAt = time.getNextDateFrom(now).toJSDate();
      const intervalMs = time.getNextDateFrom(nextRunAt).toJSDate().getTime() - nextRunAt.getTime();
      const run = last.find((r) => r.name === name);
      const failure = lastFailed.find((r) => r.name === name);
      const since = run?.startedAt ?? first;
      const late = since === null || now.getTime() - since.getTime() > 2 * intervalMs;
      return {
        name,
        cron,
        status: late || run?.outcome === 'failed' ? 'attention' : 'ok',
        lastRun: run
          ? {
              startedAt: run.startedAt,
              finishedAt: run.finishedAt,
              outcome: run.outcome,
              error: run.error,
              counts: run.counts,
            }
          : null,
        lastSuccessAt: lastSucceeded.find((r) => r.name === name)?.at ?? null,
        lastFailure: failure ? { startedAt: failure.startedAt, error: failure.error } : null,
        nextRunAt,
        intervalMs,
        late,
      };
    });
  }

  private async webhooks(now: Date): Promise<HealthReport['webhooks']> {
    const since = new Date(now.getTime() - 24 * 3_600_000);
    const status = await this.stripe.status();
    const rows = await this.repo.webhookOutcomesSince(since);
    const last24h = Object.fromEntries(rows.map((r) => [r.outcome, r.n]));
    const failed = rows.filter((r) => FAILED_OUTCOMES.includes(r.outcome)).reduce((n, r) => n + r.n, 0);
    const refused = Object.values(status.refusedDeliveries24h).reduce((n, c) => n + (c ?? 0), 0);
    return {
      status: failed > 0 || status.signaturesFailingNow ? 'attention' : 'ok',
      last24h,
      received24h: rows.reduce((n, r) => n + r.n, 0),
      failed24h: failed,
      refused24h: refused,
      signaturesFailingNow: status.signaturesFailingNow,
    };
  }

  /** A real call, timed; never thrown: an error is the finding. */
  private async reach(configured: boolean, call: () => Promise<void>): Promise<Reachability> {
    if (!configured) return { status: 'off', configured, reachable: null, latencyMs: null, error: null };
    const started = Date.now();
    try {
      await call();
      return { status: 'ok', configured, reachable: true, latencyMs: Date.now() - started, error: null };
    } catch (err) {
      const error = ((err as Error).message || String(err)).slice(0, 300);
      return { status: 'attention', configured, reachable: false, latencyMs: Date.now() - started, error };
    }
  }

  private async database(): Promise<HealthReport['database']> {
    return { status: 'ok', sizeBytes: await this.repo.databaseSizeBytes() };
  }

  private async ledger(): Promise<HealthReport['ledger']> {
    const v = await this.wallet.verify();
    return { status: v.ok ? 'ok' : 'attention', walletsChecked: v.walletsChecked, drifted: v.drifted.length };
  }

  private async outbox(now: Date): Promise<HealthReport['outbox']> {
    const o = await this.repo.outbox(new Date(now.getTime() - 24 * 3_600_000));
    const stuck =
      this.config.mail.smtp !== undefined &&
      o.oldestPendingAt !== null &&
      now.getTime() - o.oldestPendingAt.getTime() > OUTBOX_MAX_WAIT_MINUTES * 60_000;
    return {
      status: stuck || o.deadSince > 0 ? 'attention' : 'ok',
      pending: o.pending,
      oldestPendingAt: o.oldestPendingAt,
      held: o.held,
      dead: o.dead,
      dead24h: o.deadSince,
      lastSentAt: o.lastSentAt,
    };
  }

  /** The newest dump in BACKUP_DIR and its age; `off` when backups are not configured. */
  backups(now: Date): HealthReport['backups'] {
    const dir = this.config.backups.dir;
    if (dir === undefined)
      return { status: 'off', configured: false, newestAt: null, ageHours: null, count: 0 };
    let files: ReturnType<typeof listBackups>;
    try {
      files = listBackups(dir);
    } catch (err) {
      this.logger.warn(`cannot read ${dir}: ${(err as Error).message}`);
      files = [];
    }
    const newest = files[0];
    const ageHours = newest ? Math.floor((now.getTime() - newest.takenAt.getTime()) / 3_600_000) : null;
    const stale = !newest || now.getTime() - newest.takenAt.getTime() > BACKUP_MAX_AGE_HOURS * 3_600_000;
    return {
      status: stale ? 'attention' : 'ok',
      configured: true,
      newestAt: newest?.takenAt ?? null,
      ageHours,
      count: files.length,
    };
  }
}
