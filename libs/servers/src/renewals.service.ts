import { Inject, Injectable, Logger } from '@nestjs/common';
import { addMonths, APP_CONFIG, AppConfig, Clock, CLOCK, formatCents } from '@ozvps/core';
import { PlansService } from '@ozvps/plans';
import { VirtFusionClient } from '@ozvps/virtfusion';
import { InsufficientFundsError } from '@ozvps/wallet';
import { Server } from './server.entity';
import { ServerLedger } from './server-ledger';
import { ServersRepository } from './servers.repository';

export interface RenewalReport {
  charged: number;
  unpaid: number;
  suspended: number;
  unsuspended: number;
  terminated: number;
  errors: number;
}

type Outcome = 'charged' | 'unpaid' | 'not_due';

/** At most this many missed months are charged for one server in one pass (a panel that was off). */
const MAX_CATCH_UP = 24;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * Monthly renewals on each server's anniversary: one ledger row per server per period (the
 * period is in the row's idempotency key, so a sweep run twice, or two at once, charge once).
 * Unpaid: suspended after GRACE_HOURS, unsuspended when the money arrives, deleted in VirtFusion
 * after TERMINATE_AFTER_DAYS suspended.
 */
@Injectable()
export class RenewalsService {
  private readonly logger = new Logger('Renewals');

  constructor(
    private readonly repo: ServersRepository,
    private readonly plans: PlansService,
    private readonly ledger: ServerLedger,
    private readonly virtfusion: VirtFusionClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The hourly sweep (or, with `userId`, one user's servers right after their top-up). */
  async run(userId?: number): Promise<RenewalReport> {
    const report: RenewalReport = {
      charged: 0,
      unpaid: 0,
      suspended: 0,
      unsuspended: 0,
      terminated: 0,
      errors: 0,
    };
    const now = this.clock.now();
    for (const id of await this.repo.due(now, userId)) {
      try {
        await this.renew(id, now, report);
      } catch (err) {
        report.errors++;
        this.logger.error(`server #${id}: renewal step failed: ${(err as Error).message}`);
      }
    }
    // Paid since it was suspended, but the unsuspend did not go through yet.
    for (const id of await this.repo.paidButSuspended(userId)) {
      const s = (await this.repo.findById(id))!;
      try {
        if (await this.unsuspend(s)) report.unsuspended++;
      } catch (err) {
        report.errors++;
        this.logger.error(`server #${id}: unsuspend failed: ${(err as Error).message}`);
      }
    }
    if (
      report.charged +
        report.unpaid +
        report.suspended +
        report.unsuspended +
        report.terminated +
        report.errors >
      0
    ) {
      this.logger.log(`renewals: ${JSON.stringify(report)}`);
    }
    return report;
  }

  private async renew(id: number, now: Date, report: RenewalReport): Promise<void> {
    const due = await this.repo.findById(id);
    if (due?.cancelAtPeriodEnd) {
      // The customer cancelled at the end of the paid period: no charge, the server ends now.
      if (await this.endCancelled(due)) report.terminated++;
      return;
    }
    let outcome: Outcome = 'not_due';
    for (let i = 0; i < MAX_CATCH_UP; i++) {
      outcome = await this.chargeNextPeriod(id, now);
      if (outcome !== 'charged') break;
      report.charged++;
    }
    const s = (await this.repo.findById(id))!;
    if (outcome === 'unpaid') {
      report.unpaid++;
      const graceOver =
        s.overdueSince!.getTime() + this.config.renewals.graceHours * HOUR_MS <= now.getTime();
      if (s.status === 'active' && graceOver) {
        await this.suspend(s);
        report.suspended++;
      } else if (
        s.status === 'suspended' &&
        s.suspendReason === 'overdue' &&
        s.suspendedAt!.getTime() + this.config.renewals.terminateAfterDays * DAY_MS <= now.getTime()
      ) {
        await this.terminate(s);
        report.terminated++;
      }
    } else if (s.status === 'suspended' && s.suspendReason === 'overdue' && s.overdueSince === null) {
      if (await this.unsuspend(s)) report.unsuspended++;
    }
  }

  /** Charges the period that is due, if one is and the wallet covers it; one transaction. */
  private chargeNextPeriod(id: number, now: Date): Promise<Outcome> {
    return this.repo.transaction(async (em) => {
      const s = await this.repo.lock(em, id);
      if (!s || !['active', 'suspended'].includes(s.status) || !s.paidUntil || s.paidUntil > now)
        return 'not_due';
      // Cancelled at period end (perhaps a moment ago): never charged again.
      if (s.cancelAtPeriodEnd) return 'not_due';
      const plan = await this.plans.get({ planId: s.planId });
      const period = s.periodsPaid + 1;
      const periodEnd = addMonths(s.anchorAt!, period);
      // The server's own price (a plan's new price is for new deploys; see RepriceService).
      let price: number;
      try {
        price = await this.ledger.chargeRenewal(
          em,
          s,
          period,
          `${plan.name}: renewal of server #${s.id} (${s.hostname}) to ${periodEnd.toISOString().slice(0, 10)}`,
        );
      } catch (error) {
        if (!(error instanceof InsufficientFundsError)) throw error;
        if (s.overdueSince === null) {
          await this.repo.update(s.id, { overdueSince: s.paidUntil }, em);
          await this.repo.event(
            s.id,
            'renewal_unpaid',
            'system',
            `renewal of ${formatCents(s.priceMonthlyCents, s.currency)} due; the wallet holds ${formatCents(error.balanceCents, s.currency)}`,
            em,
          );
        }
        return 'unpaid';
      }
      await this.repo.update(s.id, { periodsPaid: period, paidUntil: periodEnd, overdueSince: null }, em);
      await this.repo.event(
        s.id,
        'renewal_charged',
        'system',
        `${formatCents(price, s.currency)} to ${periodEnd.toISOString()}`,
        em,
      );
      return 'charged';
    });
  }

  private async suspend(s: Server): Promise<void> {
    await this.virtfusion.suspendServer(s.virtfusionServerId!);
    await this.repo.transaction(async (em) => {
      await this.repo.update(
        s.id,
        { status: 'suspended', suspendReason: 'overdue', suspendedAt: this.clock.now() },
        em,
      );
      await this.repo.event(
        s.id,
        'suspended',
        'system',
        `renewal unpaid for ${this.config.renewals.graceHours} h (GRACE_HOURS); unsuspended as soon as a top-up covers it`,
        em,
      );
    });
    this.logger.warn(`server #${s.id} suspended: renewal unpaid since ${s.overdueSince!.toISOString()}`);
  }

  private async unsuspend(s: Server): Promise<boolean> {
    if (s.status !== 'suspended' || s.suspendReason !== 'overdue' || s.overdueSince !== null) return false;
    await this.virtfusion.unsuspendServer(s.virtfusionServerId!);
    await this.repo.transaction(async (em) => {
      await this.repo.update(s.id, { status: 'active', suspendReason: null, suspendedAt: null }, em);
      await this.repo.event(s.id, 'unsuspended', 'system', 'the renewal was paid', em);
    });
    this.logger.log(`server #${s.id} unsuspended: renewal paid`);
    return true;
  }

  /**
   * Ends a server its owner cancelled at the end of the paid period (no refund: the period was
   * used). Deleted in VirtFusion first, then recorded; a "keep" is refused once paid_until passed.
   */
  private async endCancelled(s: Server): Promise<boolean> {
    if (s.virtfusionServerId !== null) await this.virtfusion.deleteServer(s.virtfusionServerId);
    const ended = await this.repo.transaction(async (em) => {
      const locked = await this.repo.lock(em, s.id);
      if (!locked?.cancelAtPeriodEnd || !['active', 'suspended'].includes(locked.status)) return false;
      await this.repo.update(s.id, { status: 'terminated', terminatedAt: this.clock.now() }, em);
      await this.repo.event(
        s.id,
        'terminated',
        'system',
        "cancelled at the customer's request; the paid period has ended",
        em,
      );
      return true;
    });
    if (ended) this.logger.log(`server #${s.id} terminated: cancelled at the end of its paid period`);
    return ended;
  }

  private async terminate(s: Server): Promise<void> {
    await this.virtfusion.deleteServer(s.virtfusionServerId!);
    await this.repo.transaction(async (em) => {
      await this.repo.update(s.id, { status: 'terminated', terminatedAt: this.clock.now() }, em);
      await this.repo.event(
        s.id,
        'terminated',
        'system',
        `suspended for ${this.config.renewals.terminateAfterDays} days (TERMINATE_AFTER_DAYS) with the renewal unpaid; deleted in VirtFusion`,
        em,
      );
    });
    this.logger.warn(`server #${s.id} terminated: unpaid since ${s.overdueSince!.toISOString()}`);
  }
}
