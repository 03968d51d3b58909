import { Command, Option } from 'nest-commander';
import { formatCents } from '@ozvps/core';
import { HealthReport, HealthService } from '@ozvps/operations';
import { Forecast, FORECAST_MAX_DAYS, ForecastService } from '@ozvps/servers';
import { JsonOptions, OzvpsCommand, parseBoundedInt } from './base.command';
import { CheckFailedError } from './cli-errors';
import { printJson, printTable, printText } from './output';

interface ForecastOptions extends JsonOptions {
  days?: string;
}

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 16).replace('T', ' ') : '-');

@Command({
  name: 'forecast',
  description: 'what happens next: renewals, shortfalls, suspensions',
})
export class ForecastCommand extends OzvpsCommand<ForecastOptions> {
  protected readonly arity = 0;

  constructor(private readonly forecasts: ForecastService) {
    super();
  }

  protected async execute(_: string[], options: ForecastOptions): Promise<void> {
    const days = options.days ? parseBoundedInt(options.days, '--days', 1, FORECAST_MAX_DAYS) : 7;
    const f = await this.forecasts.forecast(days);
    if (options.json) return printJson(f);
    printForecast(f);
  }

  @Option({ flags: '--days <n>', description: `how far ahead, 1 to ${FORECAST_MAX_DAYS} days (default 7)` })
  parseDays(value: string): string {
    return value;
  }
}

function printForecast(f: Forecast): void {
  const money = (c: number) => formatCents(c, f.currency);
  printText(
    `Next ${f.days} day(s), to ${day(f.until)} UTC: ${f.totals.renewals} renewal(s) of ${money(f.totals.dueCents)}, ` +
      `${money(f.totals.coveredCents)} covered, ${money(f.totals.shortfallCents)} short\n\nRenewals\n`,
  );
  printTable(
    f.renewals.map((r) => ({
      at: day(r.at),
      server: r.serverId,
      hostname: r.hostname,
      user: r.userId,
      email: r.email,
      amount: money(r.amountCents),
      covered: r.covered ? 'yes' : 'no',
      shortfall: r.shortfallCents ? money(r.shortfallCents) : '',
    })),
    ['at', 'server', 'hostname', 'user', 'email', 'amount', 'covered', 'shortfall'],
  );
  const steps = (title: string, rows: Forecast['suspensions']) => {
    printText(`\n${title}\n`);
    printTable(
      rows.map((s) => ({
        at: day(s.at),
        server: s.serverId,
        hostname: s.hostname,
        user: s.userId,
        email: s.email,
        reason: s.reason,
      })),
      ['at', 'server', 'hostname', 'user', 'email', 'reason'],
    );
  };
  printText('\nWallets that will not cover their renewals\n');
  printTable(
    f.shortfalls.map((w) => ({
      user: w.userId,
      email: w.email,
      balance: money(w.balanceCents),
      unpaid: money(w.dueCents),
      shortfall: money(w.shortfallCents),
      servers: w.serverIds.join(' '),
    })),
    ['user', 'email', 'balance', 'unpaid', 'shortfall', 'servers'],
  );
  steps('Suspensions', f.suspensions);
  steps('Terminations', f.terminations);
  const waiting = (title: string, rows: Forecast['waitingDeploys']) => {
    printText(`\n${title}\n`);
    printTable(
      rows.map((s) => ({
        since: day(s.createdAt),
        server: s.serverId,
        hostname: s.hostname,
        user: s.userId,
        email: s.email,
        step: s.step,
      })),
      ['since', 'server', 'hostname', 'user', 'email', 'step'],
    );
  };
  waiting('Deploys waiting for a top-up', f.waitingDeploys);
  waiting('Provisioning stuck', f.stuckProvisioning);
}

@Command({
  name: 'health',
  description: 'is all well: jobs, webhooks, services, ledger, backups',
})
export class HealthCommand extends OzvpsCommand {
  protected readonly arity = 0;

  constructor(private readonly health: HealthService) {
    super();
  }

  protected async execute(_: string[], options: JsonOptions): Promise<void> {
    const report = await this.health.report();
    if (options.json) printJson(report);
    else printHealth(report);
    // Exit 1 for cron and monitoring: the report above says what needs attention.
    if (!report.ok) throw new CheckFailedError(`${report.attention.length} thing(s) need attention`);
  }
}

function printHealth(h: HealthReport): void {
  printText(`${h.ok ? 'ok' : 'ATTENTION'}: checked ${day(h.checkedAt)} UTC\n`);
  for (const a of h.attention) printText(`  ! ${a}\n`);
  printText('\nJobs\n');
  printTable(
    h.jobs.map((j) => ({
      job: j.name,
      status: j.status,
      last_run: day(j.lastRun?.startedAt ?? null),
      outcome: j.lastRun?.outcome ?? 'never',
      next_run: day(j.nextRunAt),
      last_failure: day(j.lastFailure?.startedAt ?? null),
      late: j.late ? 'LATE' : '',
    })),
    ['job', 'status', 'last_run', 'outcome', 'next_run', 'last_failure', 'late'],
  );
  const reach = (r: HealthReport['stripe']) =>
    !r.configured
      ? 'not configured'
      : r.reachable
        ? `reachable (${r.latencyMs} ms)`
        : `UNREACHABLE: ${r.error}`;
  printText(
    [
      '',
      `Webhooks (24 h): ${h.webhooks.received24h} received, ${h.webhooks.failed24h} not handled, ${h.webhooks.refused24h} refused` +
        (h.webhooks.signaturesFailingNow ? ' — SIGNATURES FAILING NOW' : ''),
      `VirtFusion: ${reach(h.virtfusion)}`,
      `Stripe: ${reach(h.stripe)}`,
      `Database: ${(h.database.sizeBytes / 1048576).toFixed(1)} MB`,
      `Ledger: ${h.ledger.status === 'ok' ? 'ok' : 'DRIFT'}: ${h.ledger.walletsChecked} wallet(s) checked, ${h.ledger.drifted} drifted`,
      `Outbox: ${h.outbox.pending} pending${h.outbox.oldestPendingAt ? ` (oldest ${day(h.outbox.oldestPendingAt)})` : ''}, ${h.outbox.held} held, ${h.outbox.dead} dead (${h.outbox.dead24h} in 24 h), last sent ${day(h.outbox.lastSentAt)}`,
      `Backups: ${!h.backups.configured ? 'not configured (BACKUP_DIR)' : h.backups.newestAt ? `newest ${day(h.backups.newestAt)} (${h.backups.ageHours} h old), ${h.backups.count} kept` : 'NONE'}`,
      '',
    ].join('\n'),
  );
}
