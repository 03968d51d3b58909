import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig, Clock, CLOCK, formatCents } from '@ozvps/core';
import { PlansService } from '@ozvps/plans';
import { VirtFusionClient } from '@ozvps/virtfusion';
import { InsufficientFundsError, WalletService } from '@ozvps/wallet';
import {
  cancelledPeriodIsOver,
  periodEnd,
  planRenewals,
  priceAtNextRenewal,
  RenewalPlan,
  renewalIsDue,
  RenewalRules,
  unpaidStep,
} from './renewal-rules';
import { Server } from './server.entity';
import { ServerLedger } from './server-ledger';
import { ServerMail, shortfall } from './server-mail';
import { ServersRepository } from './servers.repository';

export interface RenewalReport {
  charged: number;
  unpaid: number;
  suspended: number;
  unsuspended: number;
  terminated: number;
  /** Reminders written for renewals within RENEWAL_REMINDER_DAYS that the wallet will not cover. */
  reminded: number;
  /** Final warnings written FINAL_WARNING_DAYS before a termination. */
  finalWarnings: number;
  errors: number;
}

type Outcome = 'charged' | 'unpaid' | 'not_due';

/** At most this many missed months are charged for one server in one pass (a panel that was off). */
const MAX_CATCH_UP = 24;

/**
 * Servers renewed at once in one run, each holding one pooled connection (DatabaseModule's max
 * 10): two runs at once (two replicas, or the sweep and a top-up's run) leave two for requests.
 */
const RENEWAL_WORKERS = 4;

const DAY_MS = 24 * 3_600_000;

/**
 * Monthly renewals on each server's anniversary: one ledger row per server per period (the
 * period is in the row's idempotency key, so a sweep run twice, or two at once, charge once).
 * Unpaid: suspended after GRACE_HOURS, unsuspended when the money arrives, deleted in VirtFusion
 * after TERMINATE_AFTER_DAYS suspended. The owner is told at each step (ServerMail), in the
 * transaction that records it: a reminder RENEWAL_REMINDER_DAYS ahead when the wallet will not
 * cover the renewal, the receipt, the failed renewal, the suspension, a final warning
 * FINAL_WARNING_DAYS before termination, the termination.
 */
@Injectable()
export class RenewalsService {
  private readonly logger = new Logger('Renewals');

  constructor(
    private readonly repo: ServersRepository,
    private readonly plans: PlansService,
    private readonly ledger: ServerLedger,
    private readonly virtfusion: VirtFusionClient,
    private readonly wallet: WalletService,
    private readonly mail: ServerMail,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The rules the runs apply (and the forecast with them), from the configuration. */
  get rules(): RenewalRules {
    const { graceHours, terminateAfterDays, finalWarningDays } = this.config.renewals;
    return { graceHours, terminateAfterDays, finalWarningDays };
  }

  /**
   * What the runs from now to `until` will do, from the database as it is and the same rules and
   * selection as run(): renewals and whether each wallet covers them, suspensions, terminations.
   */
  async plan(until: Date): Promise<RenewalPlan> {
    const now = this.clock.now();
    const servers = await this.repo.renewable(until);
    const balances = new Map<number, number>();
    for (const owner of new Set(servers.map((s) => s.userId)))
      balances.set(owner, await this.balanceOf(owner));
    return planRenewals(servers, balances, now, until, this.rules);
  }

  /** The hourly sweep (or, with `userId`, one user's servers right after their top-up). */
  async run(userId?: number): Promise<RenewalReport> {
    const report: RenewalReport = {
      charged: 0,
      unpaid: 0,
      suspended: 0,
      unsuspended: 0,
      terminated: 0,
      reminded: 0,
      finalWarnings: 0,
      errors: 0,
    };
    const now = this.clock.now();
    // Plan names for the ledger rows' reasons, read once per run rather than once per server.
    const planNames = new Map<number, string>();
    const due = (await this.repo.renewable(now, userId)).filter(
      (s) => renewalIsDue(s, now) || cancelledPeriodIsOver(s, now),
    );
    // Each server renews in its own short transaction under its row lock (the wallet's conditional
    // UPDATE and the period's ledger key keep money exact, as for two sweeps at once), so a few at
    // a time overlap their commits; the rest of the pool stays free for the API's requests.
    let next = 0;
    const worker = async () => {
      while (next < due.length) {
        const server = due[next++]!;
        try {
          await this.renew(server, now, report, planNames);
        } catch (err) {
          report.errors++;
          this.logger.error(`server #${server.id}: renewal step failed: ${(err as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: RENEWAL_WORKERS }, worker));
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
    try {
      report.reminded += await this.remind(now, userId);
    } catch (err) {
      report.errors++;
      this.logger.error(`renewal reminders failed: ${(err as Error).message}`);
    }
    if (Object.values(report).some((n) => n > 0)) {
      this.logger.log(`renewals: ${JSON.stringify(report)}`);
    }
    return report;
  }

  private async renew(
    { id, planId, cancelAtPeriodEnd }: Pick<Server, 'id' | 'planId' | 'cancelAtPeriodEnd'>,
    now: Date,
    report: RenewalReport,
    planNames: Map<number, string>,
  ): Promise<void> {
    if (cancelAtPeriodEnd) {
      // The customer cancelled at the end of the paid period: no charge, the server ends now
      // (endCancelled checks it again under the row lock).
      const due = await this.repo.findById(id);
      if (due && (await this.endCancelled(due))) report.terminated++;
      return;
    }

    // Read before the transaction: a lookup inside it would hold one pooled connection while
    // waiting for a second, and two runs at once could then take the whole pool.
    if (!planNames.has(planId)) planNames.set(planId, (await this.plans.get({ planId })).name);
    let outcome: Outcome = 'not_due';
    let after: Server | null = null;
    for (let i = 0; i < MAX_CATCH_UP; i++) {
      const step = await this.chargeNextPeriod(id, now, planNames);
      outcome = step.outcome;
      after = step.server;
      if (outcome !== 'charged') break;
      report.charged++;
      // Paid past now: another pass would only lock the row to find nothing due.
      if (step.server!.paidUntil! > now) {
        outcome = 'not_due';
        break;
      }
    }
    // The row as its last transaction committed it: reading it again would cost a round trip per
    // server, and every step below checks again under the row lock (or, unsuspend, by its state).
    const s = after ?? (await this.repo.findById(id));
    if (!s) return;
    if (outcome === 'unpaid') {
      report.unpaid++;
      const step = unpaidStep(s, now, this.rules);
      if (step === 'suspend') {
        if (await this.suspend(s)) report.suspended++;
      } else if (step === 'terminate') {
        if (await this.terminate(s)) report.terminated++;
      } else if (step === 'final_warning') {
        if (await this.finalWarning(s)) report.finalWarnings++;
      }
    } else if (s.status === 'suspended' && s.suspendReason === 'overdue' && s.overdueSince === null) {
      if (await this.unsuspend(s)) report.unsuspended++;
    }
  }

  /** Charges the period that is due, if one is and the wallet covers it; one transaction. */
  private chargeNextPeriod(
    id: number,
    now: Date,
    planNames: Map<number, string>,
  ): Promise<{ outcome: Outcome; server: Server | null }> {
    return this.repo.transaction(async (em) => {
      const s = await this.repo.lock(em, id);
      // Not due, or cancelled at period end (perhaps a moment ago): never charged again.
      if (!s || !renewalIsDue(s, now)) return { outcome: 'not_due', server: s };
      let planName = planNames.get(s.planId);
      if (planName === undefined) {
        planName = (await this.plans.get({ planId: s.planId })).name;
        planNames.set(s.planId, planName);
      }
      const period = s.periodsPaid + 1;
      const paidTo = periodEnd(s, period);
      // The server's own price (a plan's new price is for new deploys; see RepriceService).
      let charged: { priceCents: number; balanceCents: number; documentNumber: string | null };
      try {
        charged = await this.ledger.chargeRenewal(
          em,
          s,
          period,
          `${planName}: renewal of server #${s.id} (${s.hostname}) to ${paidTo.toISOString().slice(0, 10)}`,
          { plan: planName, periodTo: paidTo },
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
          await this.mail.renewalFailed(em, s, period, error.balanceCents, now);
        }
        return { outcome: 'unpaid', server: { ...s, overdueSince: s.overdueSince ?? s.paidUntil } };
      }
      await this.repo.update(s.id, { periodsPaid: period, paidUntil: paidTo, overdueSince: null }, em);
      await this.repo.event(
        s.id,
        'renewal_charged',
        'system',
        `${formatCents(charged.priceCents, s.currency)} to ${paidTo.toISOString()}`,
        em,
      );
      await this.mail.renewalCharged(em, s, period, {
        amountCents: charged.priceCents,
        periodFrom: s.paidUntil!,
        periodTo: paidTo,
        balanceCents: charged.balanceCents,
        documentNumber: charged.documentNumber,
      });
      return {
        outcome: 'charged',
        server: { ...s, periodsPaid: period, paidUntil: paidTo, overdueSince: null },
      };
    });
  }

  /**
   * Suspends in VirtFusion, then records it with its message (never before VirtFusion answered).
   * False when another run recorded it first.
   */
  private async suspend(s: Server): Promise<boolean> {
    await this.virtfusion.suspendServer(s.virtfusionServerId!);
    const balanceCents = await this.balanceOf(s.userId);
    const done = await this.repo.transaction(async (em) => {
      const current = await this.repo.lock(em, s.id);
      if (!current || current.status !== 'active') return false;
      const at = this.clock.now();
      await this.repo.update(s.id, { status: 'suspended', suspendReason: 'overdue', suspendedAt: at }, em);
      await this.repo.event(
        s.id,
        'suspended',
        'system',
        `renewal unpaid for ${this.config.renewals.graceHours} h (GRACE_HOURS); unsuspended as soon as a top-up covers it`,
        em,
      );
      await this.mail.suspended(em, current, at, 'overdue', balanceCents);
      return true;
    });
    if (done)
      this.logger.warn(`server #${s.id} suspended: renewal unpaid since ${s.overdueSince!.toISOString()}`);
    return done;
  }

  /** The owner's last chance before termination; once per suspension. */
  private async finalWarning(s: Server): Promise<boolean> {
    const balanceCents = await this.balanceOf(s.userId);
    return this.repo.transaction(async (em) => {
      const current = await this.repo.lock(em, s.id);
      if (
        current?.status !== 'suspended' ||
        current.suspendReason !== 'overdue' ||
        current.overdueSince === null ||
        current.suspendedAt?.getTime() !== s.suspendedAt!.getTime()
      )
        return false;
      return this.mail.finalWarning(em, current, balanceCents);
    });
  }

  /**
   * A reminder for each renewal within RENEWAL_REMINDER_DAYS that the wallet will not cover, one
   * per server and period (each server its own message, so each can say its own shortfall). A
   * customer's renewals are counted in date order: the wallet pays the earlier ones first.
   */
  private async remind(now: Date, userId?: number): Promise<number> {
    const days = this.config.renewals.reminderDays;
    if (days === 0) return 0;
    const upcoming = await this.repo.renewingWithin(now, new Date(now.getTime() + days * DAY_MS), userId);
    let written = 0;
    const byUser = new Map<number, Server[]>();
    for (const s of upcoming) byUser.set(s.userId, [...(byUser.get(s.userId) ?? []), s]);
    for (const [owner, list] of byUser) {
      const balanceCents = await this.balanceOf(owner);
      let needed = 0;
      for (const s of list) {
        const priceCents = priceAtNextRenewal(s);
        needed += priceCents;
        if (needed <= balanceCents) continue;
        const shortfallCents = Math.min(priceCents, shortfall(needed, balanceCents));
        const period = s.periodsPaid + 1;
        const isNew = await this.repo.transaction((em) =>
          this.mail.renewalReminder(em, s, period, {
            priceCents,
            balanceCents,
            shortfallCents,
            earlierRenewalsCents: needed - priceCents,
          }),
        );
        if (isNew) written++;
      }
    }
    return written;
  }

  private async balanceOf(userId: number): Promise<number> {
    return (await this.wallet.balance(userId)).balanceCents;
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
      await this.mail.terminated(em, locked, 'cancelled');
      return true;
    });
    if (ended) this.logger.log(`server #${s.id} terminated: cancelled at the end of its paid period`);
    return ended;
  }

  /** Deletes in VirtFusion, then records it with its message; false when another run recorded it first. */
  private async terminate(s: Server): Promise<boolean> {
    await this.virtfusion.deleteServer(s.virtfusionServerId!);
    const done = await this.repo.transaction(async (em) => {
      const current = await this.repo.lock(em, s.id);
      if (!current || current.status === 'terminated') return false;
      await this.repo.update(s.id, { status: 'terminated', terminatedAt: this.clock.now() }, em);
      await this.repo.event(
        s.id,
        'terminated',
        'system',
        `suspended for ${this.config.renewals.terminateAfterDays} days (TERMINATE_AFTER_DAYS) with the renewal unpaid; deleted in VirtFusion`,
        em,
      );
      await this.mail.terminated(em, current, 'overdue');
      return true;
    });
    if (done) this.logger.warn(`server #${s.id} terminated: unpaid since ${s.overdueSince!.toISOString()}`);
    return done;
  }
}
