import { Inject, Injectable } from '@nestjs/common';
import { Clock, CLOCK } from '@ozvps/core';
import { AdminAlertsRepository } from './admin-alerts.repository';
import { Outbox } from './outbox.service';

/** How long an outside service must stay unreachable before admins are told. */
export const OUTAGE_ALERT_AFTER_MS = 15 * 60_000;

/** The outside services whose outages are tracked, and how people call them. */
const SERVICES = { virtfusion: 'VirtFusion' } as const;
export type OutsideService = keyof typeof SERVICES;

/** The hour an alert belongs to ("2026-11-23T18"): at most one alert of a sort per hour. */
const hourOf = (d: Date) => d.toISOString().slice(0, 13);

/**
 * Alerts to ADMIN_ALERT_EMAIL about the panel itself (nothing happens without that address). Each
 * is written in its own short transaction: there is no business change to tie it to. Their
 * dedupe keys limit them to one per hour (or per outage), so a storm is one message.
 */
@Injectable()
export class AdminAlerts {
  constructor(
    private readonly repo: AdminAlertsRepository,
    private readonly outbox: Outbox,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** A scheduled job (renewals, sweep, plan sync) threw or failed: one alert per job per hour. */
  jobFailed(job: string, error: string): Promise<boolean> {
    const now = this.clock.now();
    return this.repo.transaction((em) =>
      this.outbox.alertAdmins(em, {
        dedupeKey: `alert:job:${job}:${hourOf(now)}`,
        title: `Scheduled job failed: ${job}`,
        lines: [
          `The ${job} job failed at ${now.toISOString()}: ${error}`,
          'It runs again on its schedule; the panel log has the details. Further failures this hour are not emailed.',
        ],
      }),
    );
  }

  /**
   * A scheduled job has not run for twice its interval: one alert per lateness (the key names the
   * run it is late after), however often health looks.
   */
  jobLate(job: string, lastRunAt: Date | null, intervalMs: number): Promise<boolean> {
    return this.repo.transaction((em) =>
      this.outbox.alertAdmins(em, {
        dedupeKey: `alert:job-late:${job}:${lastRunAt?.toISOString() ?? 'never'}`,
        title: `Scheduled job not running: ${job}`,
        lines: [
          lastRunAt
            ? `The ${job} job last ran at ${lastRunAt.toISOString()}; it should run every ${Math.round(intervalMs / 60_000)} min.`
            : `The ${job} job has never run; it should run every ${Math.round(intervalMs / 60_000)} min.`,
          'Check that the panel is running (systemctl status ozvps-panel) and its log; `ozvpsctl health` shows every job.',
        ],
      }),
    );
  }

  /** A Stripe webhook delivery was refused for its signature: one alert per hour. */
  webhookSignatureFailed(reason: string): Promise<boolean> {
    const now = this.clock.now();
    return this.repo.transaction((em) =>
      this.outbox.alertAdmins(em, {
        dedupeKey: `alert:webhook-signature:${hourOf(now)}`,
        title: 'Stripe webhook deliveries refused: bad signature',
        lines: [
          `A Stripe webhook delivery was refused at ${now.toISOString()} (reason: ${reason}).`,
          'If it was Stripe, payments are not being credited: check STRIPE_WEBHOOK_SECRET against the ' +
            "endpoint's signing secret in the Stripe dashboard. `ozvpsctl stripe status` shows the counts.",
          'Further refusals this hour are not emailed.',
        ],
      }),
    );
  }

  /**
   * A call to `service` failed as unreachable: the outage is recorded from its first failure, and
   * once it has lasted OUTAGE_ALERT_AFTER_MS one alert is written for it (true when this call did).
   */
  serviceFailing(service: OutsideService, error: string): Promise<boolean> {
    const now = this.clock.now();
    const name = SERVICES[service];
    return this.repo.transaction(async (em) => {
      const since = await this.repo.outageFailure(em, service, now, error.slice(0, 500));
      if (now.getTime() - since.getTime() < OUTAGE_ALERT_AFTER_MS) return false;
      return this.outbox.alertAdmins(em, {
        dedupeKey: `alert:${service}-down:${since.toISOString()}`,
        title: `${name} unreachable since ${since.toISOString()}`,
        lines: [
          `The panel has not reached ${name} since ${since.toISOString()}. Last error: ${error}`,
          'Deploys, suspensions and the plan sync wait until it answers again; nothing is lost.',
        ],
      });
    });
  }

  /** A call to `service` succeeded: any outage is over (the next one gets its own alert). */
  async serviceReachable(service: OutsideService): Promise<void> {
    await this.repo.outageOver(service);
  }
}
