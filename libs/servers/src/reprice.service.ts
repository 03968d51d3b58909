import { Inject, Injectable } from '@nestjs/common';
import { addMonths, APP_CONFIG, AppConfig, Clock, CLOCK, formatCents, ValidationError } from '@ozvps/core';
import { Plan, PlansService } from '@ozvps/plans';
import { Server } from './server.entity';
import { ServersRepository } from './servers.repository';

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface RepriceInput {
  planId: number;
  /** YYYY-MM-DD (UTC): the earliest day the new price may apply. */
  fromDate: unknown;
  actor: string;
  /** False: only say what would change; nothing is written. */
  apply: boolean;
}

export interface RepriceChange {
  serverId: number;
  userId: number;
  hostname: string;
  status: Server['status'];
  fromCents: number;
  toCents: number;
  currency: string;
  /** The renewal from which the new price is charged. */
  effectiveAt: Date;
}

export interface RepriceResult {
  plan: Plan;
  priceCents: number;
  currency: string;
  /** max(fromDate, now + REPRICE_NOTICE_DAYS): no server's price changes before this. */
  earliest: Date;
  noticeDays: number;
  applied: boolean;
  changes: RepriceChange[];
  /** Servers of the plan already at (or already scheduled for) this price on this date. */
  unchanged: number;
}

/** The first renewal of `s` (its anniversaries of `anchorAt`) on or after `earliest`. */
export function firstRenewalOnOrAfter(s: Pick<Server, 'anchorAt' | 'periodsPaid'>, earliest: Date): Date {
  let k = Math.max(s.periodsPaid, 1);
  let at = addMonths(s.anchorAt!, k);
  while (at < earliest) at = addMonths(s.anchorAt!, ++k);
  return at;
}

/**
 * Moving existing servers to their plan's current price: an explicit admin action, announced.
 * Each running server keeps its price until its first renewal at least REPRICE_NOTICE_DAYS
 * ahead (and not before `fromDate`); the schedule shows on the server from the moment it is
 * made and is recorded in its history. Renewals then charge it (RenewalsService).
 */
@Injectable()
export class RepriceService {
  constructor(
    private readonly repo: ServersRepository,
    private readonly plans: PlansService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Schedules (or, with `apply: false`, previews) the plan's current price for its running servers. */
  async reprice(input: RepriceInput): Promise<RepriceResult> {
    const from = parseDate(input.fromDate);
    const plan = await this.plans.get({ planId: input.planId });
    if (plan.priceMonthlyCents === null)
      throw new ValidationError(`Plan ${plan.id} has no price; set one before repricing its servers`);
    const priceCents = plan.priceMonthlyCents;
    const currency = this.config.walletCurrency;
    const noticeDays = this.config.renewals.repriceNoticeDays;
    const notice = new Date(this.clock.now().getTime() + noticeDays * DAY_MS);
    const earliest = from > notice ? from : notice;

    const planChanges = (servers: Server[]) => {
      const changes: RepriceChange[] = [];
      let unchanged = 0;
      for (const s of servers) {
        if (s.anchorAt === null) continue;
        const effectiveAt = firstRenewalOnOrAfter(s, earliest);
        const alreadyThere =
          s.nextPriceCents === null
            ? s.priceMonthlyCents === priceCents
            : s.nextPriceCents === priceCents && s.nextPriceFrom!.getTime() === effectiveAt.getTime();
        if (alreadyThere) {
          unchanged++;
          continue;
        }
        changes.push({
          serverId: s.id,
          userId: s.userId,
          hostname: s.hostname,
          status: s.status,
          fromCents: s.priceMonthlyCents,
          toCents: priceCents,
          currency: s.currency,
          effectiveAt,
        });
      }
      return { changes, unchanged };
    };

    if (!input.apply) {
      const { changes, unchanged } = planChanges(
        await this.repo.list({ planId: plan.id, statuses: RUNNING }),
      );
      return { plan, priceCents, currency, earliest, noticeDays, applied: false, changes, unchanged };
    }
    // Rows locked while they are rescheduled, so a renewal running now either charged the old
    // price before this or sees the schedule after it.
    const { changes, unchanged } = await this.repo.transaction(async (em) => {
      const result = planChanges(await this.repo.lockForPlan(em, plan.id, RUNNING));
      for (const c of result.changes) {
        await this.repo.update(c.serverId, { nextPriceCents: c.toCents, nextPriceFrom: c.effectiveAt }, em);
        await this.repo.event(
          c.serverId,
          'reprice_scheduled',
          input.actor,
          `${formatCents(c.fromCents, c.currency)} → ${formatCents(c.toCents, c.currency)} a month from the renewal on ${c.effectiveAt.toISOString().slice(0, 10)}`,
          em,
        );
      }
      return result;
    });
    return { plan, priceCents, currency, earliest, noticeDays, applied: true, changes, unchanged };
  }
}

/** Servers whose renewals are still to come (a waiting or provisioning deploy has no anniversary yet). */
const RUNNING: Server['status'][] = ['active', 'suspended'];

function parseDate(value: unknown): Date {
  const m = typeof value === 'string' ? DATE.exec(value.trim()) : null;
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  if (!m || !d || d.toISOString().slice(0, 10) !== m[0])
    throw new ValidationError('fromDate must be a date as YYYY-MM-DD (e.g. 2027-01-01)');
  return d;
}
