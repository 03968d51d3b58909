import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Cron, CronExpression, Interval } from '@nestjs/schedule';
import { RenewalsService, ServerActionsService, SweepService } from '@ozvps/servers';

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
  private settling = false;

  constructor(
    private readonly sweeper: SweepService,
    private readonly renewals: RenewalsService,
    private readonly actions: ServerActionsService,
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

  /**
   * Actions nobody is watching (a closed tab, one started with ozvpsctl) still end: their
   * outcome is read from VirtFusion every minute. Settling twice at once records one outcome.
   */
  @Interval('server-actions-settle', 60_000)
  async settleActions(): Promise<void> {
    if (this.settling) return;
    this.settling = true;
    try {
      await this.actions.settleAll();
    } catch (err) {
      this.logger.error(`settling server actions failed: ${(err as Error).message}`);
    } finally {
      this.settling = false;
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
