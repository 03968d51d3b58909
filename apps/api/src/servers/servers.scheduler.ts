import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Cron, CronExpression, Interval } from '@nestjs/schedule';
import { RenewalsService, SweepService } from '@ozvps/servers';

/**
 * Recovery on start and every minute (provisioning a crash interrupted, deploys whose top-up
 * arrived or lapsed); renewals every hour. Safe with several API processes: leases, row locks and
 * per-period ledger keys make a second runner change nothing.
 */
@Injectable()
export class ServersScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger('ServersSweep');
  private sweeping = false;
  private renewing = false;

  constructor(
    private readonly sweeper: SweepService,
    private readonly renewals: RenewalsService,
  ) {}

  onApplicationBootstrap(): void {
    setImmediate(() => void this.sweep());
  }

  @Interval('servers-sweep', 60_000)
  async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      const r = await this.sweeper.sweep();
      if (r.resumed + r.started + r.cancelled > 0) this.logger.log(`sweep: ${JSON.stringify(r)}`);
    } catch (err) {
      this.logger.error(`sweep failed: ${(err as Error).message}`);
    } finally {
      this.sweeping = false;
    }
  }

  @Cron(CronExpression.EVERY_HOUR, { name: 'renewals' })
  async renew(): Promise<void> {
    if (this.renewing) return;
    this.renewing = true;
    try {
      await this.renewals.run();
    } catch (err) {
      this.logger.error(`renewals failed: ${(err as Error).message}`);
    } finally {
      this.renewing = false;
    }
  }
}
