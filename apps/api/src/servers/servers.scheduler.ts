import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { RenewalsService, ServersService } from '@ozvps/servers';
import { ClusterJobs } from '../jobs/cluster-jobs';

export const SWEEP_JOB = 'servers-sweep';
export const RENEWALS_JOB = 'renewals';

/**
 * Recovery on start and every minute (provisioning a crash interrupted, deploys whose top-up
 * arrived or lapsed); renewals every hour. Each tick runs in one API process of the cluster
 * (ClusterJobs); leases, row locks and per-period ledger keys would make a second runner change
 * nothing anyway. The sweep on start runs in every process that starts.
 */
@Injectable()
export class ServersScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger('ServersSweep');

  constructor(
    private readonly servers: ServersService,
    private readonly renewals: RenewalsService,
    private readonly jobs: ClusterJobs,
  ) {}

  onApplicationBootstrap(): void {
    this.jobs.schedule(SWEEP_JOB, '* * * * *', () => this.sweep());
    this.jobs.schedule(RENEWALS_JOB, '0 * * * *', () => this.renewals.run().then((r) => ({ ...r })));
    setImmediate(() => void this.jobs.runHere(SWEEP_JOB, () => this.sweep()));
  }

  private async sweep(): Promise<{ resumed: number; started: number; cancelled: number }> {
    const r = await this.servers.sweep();
    if (r.resumed + r.started + r.cancelled > 0) this.logger.log(`sweep: ${JSON.stringify(r)}`);
    return r;
  }
}
