import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { JOB_CRONS, JOB_NAMES } from '@ozvps/core';
import { AdminAlerts } from '@ozvps/notifications';
import { RenewalReport, RenewalsService, ServerActionsService, SweepService } from '@ozvps/servers';
import { ClusterJobs } from '../jobs/cluster-jobs';

export const SWEEP_JOB = JOB_NAMES.serversSweep;
export const RENEWALS_JOB = JOB_NAMES.renewals;
export const SETTLE_ACTIONS_JOB = JOB_NAMES.settleActions;

/**
 * Recovery on start and every minute (provisioning a crash interrupted, deploys whose top-up
 * arrived or lapsed); renewals every hour; server actions nobody watches settled every minute.
 * Each tick runs in one API process of the cluster (ClusterJobs, which also alerts admins when a
 * run fails); leases, row locks and per-period ledger keys would make a second runner change
 * nothing anyway. The sweep on start runs in every process that starts.
 */
@Injectable()
export class ServersScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger('ServersSweep');

  constructor(
    private readonly sweeper: SweepService,
    private readonly renewals: RenewalsService,
    private readonly actions: ServerActionsService,
    private readonly jobs: ClusterJobs,
    private readonly alerts: AdminAlerts,
  ) {}

  onApplicationBootstrap(): void {
    this.jobs.schedule(SWEEP_JOB, JOB_CRONS[SWEEP_JOB], () => this.sweep());
    this.jobs.schedule(RENEWALS_JOB, JOB_CRONS[RENEWALS_JOB], () => this.renew().then((r) => ({ ...r })));
    this.jobs.schedule(SETTLE_ACTIONS_JOB, JOB_CRONS[SETTLE_ACTIONS_JOB], () => this.settleActions());
    setImmediate(() => void this.jobs.runHere(SWEEP_JOB, () => this.sweep()));
  }

  async sweep(): Promise<{ resumed: number; started: number; cancelled: number }> {
    const r = await this.sweeper.sweep();
    if (r.resumed + r.started + r.cancelled > 0) this.logger.log(`sweep: ${JSON.stringify(r)}`);
    return r;
  }

  /**
   * Actions nobody is watching (a closed tab, one started with ozvpsctl) still end: their
   * outcome is read from VirtFusion every minute. Settling twice at once records one outcome.
   */
  async settleActions(): Promise<{ settled: number }> {
    return { settled: await this.actions.settleAll() };
  }

  /** One renewals run. Steps that failed inside a run that finished are an alert too (one an hour). */
  async renew(): Promise<RenewalReport> {
    const report = await this.renewals.run();
    if (report.errors > 0)
      await this.alerts
        .jobFailed(
          RENEWALS_JOB,
          `${report.errors} step${report.errors === 1 ? '' : 's'} failed (the servers' events and the log say which)`,
        )
        .catch((err: unknown) => {
          this.logger.error(`could not alert admins that renewals failed: ${(err as Error).message}`);
        });
    return report;
  }
}
