import { Inject, Injectable } from '@nestjs/common';
import {
  addMonths,
  APP_CONFIG,
  AppConfig,
  AuditTrail,
  Clock,
  CLOCK,
  formatCents,
  ValidationError,
} from '@ozvps/core';
import { Plan, PlansService } from '@ozvps/plans';
import { Server } from './server.entity';
import { ServerMail } from './server-mail';
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
  /** The renewal from which the new price is charged (for a cancellation: the one it was scheduled for). */
  effectiveAt: Date;
  /** The price already scheduled before this reprice, if any (preview: current → scheduled → new). */
  scheduled: { amountCents: number; fromDate: Date } | null;
  /**
   * True when the target is the server's current price: the change clears the scheduled price
   * (a reprice back to what it pays) instead of scheduling a change that does nothing.
   */
  cancelsScheduled: boolean;
}

/** A deploy of the plan not running yet: it keeps the price it was sold at; run the reprice again later. */
export interface RepriceSkip {
  serverId: number;
  userId: number;
  hostname: string;
  status: Server['status'];
  soldAtCents: number;
  currency: string;
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
  /** Deploys still waiting for payment or provisioning, sold at another price: not repriced (no renewal yet). */
  skipped: RepriceSkip[];
}

/** Running servers of a plan whose scheduled price differs from the price an admin just set. */
export interface ScheduledPricesDiffer {
  count: number;
  /** The distinct scheduled prices, ascending. */
  amountsCents: number[];
  currency: string;
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
 * made and is recorded in its history, and its owner is emailed (price-change) in the same
 * transaction. Renewals then charge it (RenewalsService).
 */
@Injectable()
export class RepriceService {
  constructor(
    private readonly repo: ServersRepository,
    private readonly plans: PlansService,
    private readonly mail: ServerMail,
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
        const scheduled =
          s.nextPriceCents === null || s.nextPriceFrom === null
            ? null
            : { amountCents: s.nextPriceCents, fromDate: s.nextPriceFrom };
        const base = {
          serverId: s.id,
          userId: s.userId,
          hostname: s.hostname,
          status: s.status,
          fromCents: s.priceMonthlyCents,
          toCents: priceCents,
          currency: s.currency,
          scheduled,
        };
        if (s.priceMonthlyCents === priceCents) {
          // Back to what it pays: nothing to schedule; a pending change is withdrawn (or nothing happens).
          if (scheduled === null) unchanged++;
          else changes.push({ ...base, effectiveAt: scheduled.fromDate, cancelsScheduled: true });
          continue;
        }
        const effectiveAt = firstRenewalOnOrAfter(s, earliest);
        if (scheduled?.amountCents === priceCents && scheduled.fromDate.getTime() === effectiveAt.getTime()) {
          unchanged++;
          continue;
        }
        changes.push({ ...base, effectiveAt, cancelsScheduled: false });
      }
      return { changes, unchanged };
    };

    // Only those sold at another price: one already at it needs no later reprice.
    const skipped = (await this.repo.list({ planId: plan.id, statuses: NOT_RUNNING_YET }))
      .filter((s) => s.priceMonthlyCents !== priceCents)
      .reverse()
      .map((s) => ({
        serverId: s.id,
        userId: s.userId,
        hostname: s.hostname,
        status: s.status,
        soldAtCents: s.priceMonthlyCents,
        currency: s.currency,
      }));
    const result = { plan, priceCents, currency, earliest, noticeDays, skipped };

    if (!input.apply) {
      const { changes, unchanged } = planChanges(
        await this.repo.list({ planId: plan.id, statuses: RUNNING }),
      );
      return { ...result, applied: false, changes, unchanged };
    }
    // Rows locked while they are rescheduled, so a renewal running now either charged the old
    // price before this or sees the schedule after it.
    const { changes, unchanged } = await this.repo.transaction(async (em) => {
      const planned = planChanges(await this.repo.lockForPlan(em, plan.id, RUNNING));
      for (const c of planned.changes) {
        if (c.cancelsScheduled) {
          await this.repo.update(c.serverId, { nextPriceCents: null, nextPriceFrom: null }, em);
          await this.repo.event(
            c.serverId,
            'reprice_cancelled',
            input.actor,
            `scheduled price change cancelled: stays ${formatCents(c.fromCents, c.currency)} a month ` +
              `(was to be ${formatCents(c.scheduled!.amountCents, c.currency)} from the renewal on ${formatDay(c.effectiveAt)})`,
            em,
          );
          await this.mail.priceChangeCancelled(
            em,
            { id: c.serverId, userId: c.userId, hostname: c.hostname },
            { keptCents: c.fromCents, cancelledCents: c.scheduled!.amountCents, from: c.effectiveAt },
          );
          continue;
        }
        await this.repo.update(c.serverId, { nextPriceCents: c.toCents, nextPriceFrom: c.effectiveAt }, em);
        await this.repo.event(
          c.serverId,
          'reprice_scheduled',
          input.actor,
          `${formatCents(c.fromCents, c.currency)} → ${formatCents(c.toCents, c.currency)} a month from the renewal on ${formatDay(c.effectiveAt)}` +
            (c.scheduled
              ? ` (replaces ${formatCents(c.scheduled.amountCents, c.currency)} from ${formatDay(c.scheduled.fromDate)})`
              : ''),
          em,
        );
        await this.mail.priceChange(
          em,
          { id: c.serverId, userId: c.userId, hostname: c.hostname },
          { oldCents: c.fromCents, newCents: c.toCents, from: c.effectiveAt },
        );
      }
      await AuditTrail.recordIfStaff(em, {
        actor: input.actor,
        action: 'plans.reprice',
        target: { type: 'plan', id: plan.id },
        before: {
          servers: planned.changes.map((c) => ({ serverId: c.serverId, priceCents: c.fromCents })),
        },
        after: {
          priceCents,
          servers: planned.changes.map((c) => ({
            serverId: c.serverId,
            priceCents: c.toCents,
            from: c.effectiveAt.toISOString(),
            cancelsScheduled: c.cancelsScheduled,
          })),
          unchanged: planned.unchanged,
        },
      });
      return planned;
    });
    return { ...result, applied: true, changes, unchanged };
  }

  /**
   * After an admin set a plan's price: its running servers whose scheduled price is another one
   * (they would renew at a price new customers no longer pay). Said, never changed silently.
   */
  async scheduledPricesDiffer(planId: number, priceCents: number): Promise<ScheduledPricesDiffer> {
    const differ = (await this.repo.list({ planId, statuses: RUNNING })).filter(
      (s) => s.nextPriceCents !== null && s.nextPriceCents !== priceCents,
    );
    return {
      count: differ.length,
      amountsCents: [...new Set(differ.map((s) => s.nextPriceCents!))].sort((a, b) => a - b),
      currency: this.config.walletCurrency,
    };
  }
}

/** "N servers have a scheduled price of A$9.00; run servers reprice to change it", or null when none. */
export function scheduledPricesDifferNote(d: ScheduledPricesDiffer): string | null {
  if (d.count === 0) return null;
  const prices = d.amountsCents.map((c) => formatCents(c, d.currency)).join(' or ');
  return (
    `${d.count} server${d.count === 1 ? ' has' : 's have'} a scheduled price of ${prices}; ` +
    `run servers reprice to change it`
  );
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "23 Jan 2027" (UTC), as the rest of a server's history and pages write dates. */
export function formatDay(d: Date): string {
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/** Servers whose renewals are still to come (a waiting or provisioning deploy has no anniversary yet). */
const RUNNING: Server['status'][] = ['active', 'suspended'];
/** Sold but not started: they keep the price they were sold at (listed so the admin can reprice later). */
const NOT_RUNNING_YET: Server['status'][] = ['awaiting_funds', 'provisioning'];

function parseDate(value: unknown): Date {
  const m = typeof value === 'string' ? DATE.exec(value.trim()) : null;
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  if (!m || !d || d.toISOString().slice(0, 10) !== m[0])
    throw new ValidationError('fromDate must be a date as YYYY-MM-DD (e.g. 2027-01-01)');
  return d;
}
