import { Inject, Injectable, Logger } from '@nestjs/common';
import { TopupsService } from '@ozvps/billing';
import { Clock, CLOCK, formatCents } from '@ozvps/core';
import { PlansService } from '@ozvps/plans';
import { InsufficientFundsError } from '@ozvps/wallet';
import { DeployService } from './deploy.service';
import { LEASE_MS, ProvisioningService } from './provisioning.service';
import { Server } from './server.entity';
import { ServerLedger } from './server-ledger';
import { ServerQueriesService } from './server-queries.service';
import { ServersRepository } from './servers.repository';

/** A deploy waiting for its top-up is cancelled after this long (nothing was charged). */
const AWAITING_FUNDS_MAX_MS = 24 * 3_600_000;

/**
 * What moves servers on without a request: the credit of a deploy's own top-up, and the recovery
 * sweep (provisioning nobody is working on, waiting deploys whose top-up was paid or lapsed).
 */
@Injectable()
export class SweepService {
  private readonly logger = new Logger('Servers');

  constructor(
    private readonly repo: ServersRepository,
    private readonly queries: ServerQueriesService,
    private readonly provisioning: ProvisioningService,
    private readonly deploys: DeployService,
    private readonly plans: PlansService,
    private readonly ledger: ServerLedger,
    private readonly topups: TopupsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * A top-up was credited: the deploy that top-up was opened for (and no other) is charged and
   * provisioned. Nothing happens when the session paid for no deploy, or its deploy was cancelled
   * or already started (the money simply stays in the wallet). A deploy that then fails leaves
   * the money in the wallet.
   */
  async startForTopup(checkoutSessionId: string): Promise<Server | null> {
    const waiting = await this.repo.findByTopupSession(checkoutSessionId);
    if (waiting?.status !== 'awaiting_funds') return null;
    const outcome = await this.startWaiting(waiting.id);
    return outcome === 'cancelled' ? this.queries.get(waiting.id) : outcome;
  }

  /**
   * Charges a waiting deploy whose own top-up was credited, and provisions it; null when it no
   * longer waits. One attempt only: when the wallet no longer covers the price (the customer spent
   * it meanwhile, an admin deducted) the deploy is cancelled at once and the payment stays in the
   * wallet, rather than waiting for whatever money lands next (which it has no claim on).
   */
  private async startWaiting(id: number): Promise<Server | null | 'cancelled'> {
    const reserved = await this.repo
      .transaction(async (em) => {
        const s = await this.repo.lock(em, id);
        if (s?.status !== 'awaiting_funds') return null;
        const plan = await this.plans.get({ planId: s.planId });
        await this.ledger.chargeFirstMonth(em, s, plan.name, `user:${s.userId}`);
        await this.repo.update(
          s.id,
          {
            status: 'provisioning',
            periodsPaid: 1,
            leaseUntil: new Date(this.clock.now().getTime() + LEASE_MS),
          },
          em,
        );
        return s;
      })
      .catch((err: unknown) => {
        if (err instanceof InsufficientFundsError) return err;
        throw err;
      });
    if (reserved instanceof InsufficientFundsError) return this.cancelShort(id);
    return reserved ? this.provisioning.provision(reserved.id) : null;
  }

  /** Its own payment arrived but the wallet no longer covers the deploy: cancelled, money kept. */
  private async cancelShort(id: number): Promise<'cancelled' | null> {
    const s = await this.queries.get(id);
    const topup = s.topupSessionId ? await this.topups.findBySession(s.topupSessionId) : null;
    const paid = topup ? formatCents(topup.amountCents, s.currency) : 'Your payment';
    const reason =
      `Your payment of ${paid} arrived, but your balance no longer covered ` +
      `${formatCents(s.priceMonthlyCents, s.currency)}: the money is in your wallet. Deploy again when you are ready.`;
    return (await this.deploys.cancelWaiting(id, reason, 'system', 'payment_short')) ? 'cancelled' : null;
  }

  /**
   * The recovery sweep (on start and every minute): provisioning rows nobody is working on are
   * resumed; a waiting deploy is started only when its own top-up is credited (its start was lost:
   * a crash, or a credit made by `ozvpsctl`), and cancelled when that top-up failed, expired or was
   * not paid within 24 h. Money in the wallet from anything else never starts a waiting deploy.
   */
  async sweep(): Promise<{ resumed: number; started: number; cancelled: number }> {
    const now = this.clock.now();
    let resumed = 0;
    for (const id of await this.repo.stalledProvisioning(now)) {
      try {
        if (!(await this.repo.claimLease(id, now, new Date(now.getTime() + LEASE_MS)))) continue;
        await this.repo.event(id, 'resumed', 'system', 'provisioning resumed by the sweep');
        await this.provisioning.provision(id);
        resumed++;
      } catch (err) {
        this.logger.error(`server #${id}: resuming provisioning failed: ${(err as Error).message}`);
      }
    }
    let started = 0;
    let cancelled = 0;
    for (const s of await this.repo.awaitingFunds()) {
      try {
        const topupStatus = s.topupSessionId
          ? (await this.topups.findBySession(s.topupSessionId))?.status
          : null;
        if (topupStatus === 'credited') {
          // Its start was lost (a crash, a credit by ozvpsctl): one attempt, by the same rule as
          // the credit's own (started, or cancelled when the wallet no longer covers it).
          const outcome = await this.startWaiting(s.id);
          if (outcome === 'cancelled') cancelled++;
          else if (outcome) started++;
          continue;
        }
        const tooOld = now.getTime() - s.createdAt.getTime() > AWAITING_FUNDS_MAX_MS;
        if (topupStatus === 'failed' || topupStatus === 'expired' || tooOld) {
          const reason = tooOld ? 'the top-up was not paid within 24 hours' : `the top-up ${topupStatus}`;
          if (await this.deploys.cancelWaiting(s.id, reason, 'system', tooOld ? 'unpaid' : 'topup_failed'))
            cancelled++;
        }
      } catch (err) {
        this.logger.error(`server #${s.id}: waiting deploy: ${(err as Error).message}`);
      }
    }
    return { resumed, started, cancelled };
  }
}
