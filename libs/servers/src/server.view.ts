import type { ServerEventView, ServerView } from '@ozvps/contracts';
import type { RepriceResult } from './reprice.service';
import { Server, ServerEvent } from './server.entity';
import type { ServerTopup } from './server-queries.service';

/** What every view of a server shows. */
function baseView(s: Server) {
  return {
    id: s.id,
    planId: s.planId,
    status: s.status,
    hostname: s.hostname,
    osTemplateId: s.osTemplateId,
    ipAddress: s.ipAddress,
    priceMonthlyCents: s.priceMonthlyCents,
    currency: s.currency,
    /** A reprice an admin scheduled: charged from the renewal on `fromDate` (shown from the moment it is scheduled). */
    scheduledPrice:
      s.nextPriceCents === null || s.nextPriceFrom === null
        ? null
        : { amountCents: s.nextPriceCents, fromDate: s.nextPriceFrom.toISOString() },
    paidUntil: s.paidUntil?.toISOString() ?? null,
    overdueSince: s.overdueSince?.toISOString() ?? null,
    suspendedAt: s.suspendedAt?.toISOString() ?? null,
    suspendReason: s.suspendReason,
    terminatedAt: s.terminatedAt?.toISOString() ?? null,
    failureReason: s.failureReason,
    /** Why a waiting deploy was cancelled ('payment_short': its payment is in the wallet); else null. */
    cancelReason: s.cancelReason,
    /** Cancelled at the end of the paid period: not renewed, terminated at paidUntil. */
    cancelAtPeriodEnd: s.cancelAtPeriodEnd,
    createdAt: s.createdAt.toISOString(),
  };
}

/**
 * A server as its owner sees it (the API and the web panel). `topup`: the payment a "Top up &
 * deploy" waits for or waited for (its checkout URL only while the deploy still waits).
 */
export function toServerView(s: Server, topup: ServerTopup | null = null): ServerView {
  return { ...baseView(s), topup };
}

/** What an admin sees as well: VirtFusion's ids and where provisioning stands. */
export function toAdminServerView(s: Server) {
  return {
    ...baseView(s),
    userId: s.userId,
    topupSessionId: s.topupSessionId,
    step: s.step,
    virtfusionUserId: s.virtfusionUserId,
    virtfusionServerId: s.virtfusionServerId,
    periodsPaid: s.periodsPaid,
    attempts: s.attempts,
    leaseUntil: s.leaseUntil?.toISOString() ?? null,
  };
}

export function toServerEventView(e: ServerEvent): ServerEventView {
  return { type: e.type, actor: e.actor, detail: e.detail, at: e.createdAt.toISOString() };
}

/** A reprice (previewed or scheduled), for the admin API and `ozvpsctl servers reprice --json`. */
export function toRepriceView(r: RepriceResult) {
  return {
    planId: r.plan.id,
    priceCents: r.priceCents,
    currency: r.currency,
    earliest: r.earliest.toISOString(),
    noticeDays: r.noticeDays,
    applied: r.applied,
    unchanged: r.unchanged,
    changes: r.changes.map((c) => ({
      serverId: c.serverId,
      userId: c.userId,
      hostname: c.hostname,
      fromCents: c.fromCents,
      toCents: c.toCents,
      currency: c.currency,
      fromDate: c.effectiveAt.toISOString(),
      /** The price scheduled before this reprice (current → scheduled → new), or null. */
      scheduled: c.scheduled
        ? { amountCents: c.scheduled.amountCents, fromDate: c.scheduled.fromDate.toISOString() }
        : null,
      /** True: the target is the server's current price, so the scheduled change is cancelled. */
      cancelsScheduled: c.cancelsScheduled,
    })),
    /** Deploys not running yet: they keep the price they were sold at; reprice again once they run. */
    skipped: r.skipped.map((k) => ({
      serverId: k.serverId,
      userId: k.userId,
      hostname: k.hostname,
      status: k.status,
      soldAtCents: k.soldAtCents,
      currency: k.currency,
    })),
  };
}
