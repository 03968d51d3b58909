import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { StartedTopup, TopupsService } from '@ozvps/billing';
import {
  addMonths,
  APP_CONFIG,
  AppConfig,
  Clock,
  CLOCK,
  formatCents,
  isDatabaseError,
  isUniqueViolation,
  ValidationError,
} from '@ozvps/core';
import { Plan, PlansService } from '@ozvps/plans';
import { User, UsersService } from '@ozvps/users';
import { isAmbiguous, VirtFusionClient, VirtFusionError, VirtFusionServer } from '@ozvps/virtfusion';
import { InsufficientFundsError } from '@ozvps/wallet';
import {
  CancelLinkInvalidError,
  DeployInProgressError,
  DeployKeyReusedError,
  DeploysBusyError,
  DeploysNotConfiguredError,
  ServerNotFoundError,
  ServerStateError,
  TooManyWaitingDeploysError,
  VirtFusionEmailTakenError,
} from './errors';
import { CancelReason, Server, ServerEvent } from './server.entity';
import { ServerLedger } from './server-ledger';
import { NewServer, ServersRepository, UserLock } from './servers.repository';
import { TemplatesService } from './templates.service';
import { VirtFusionAccountsService } from './virtfusion-accounts.service';

export interface DeployInput {
  planId: unknown;
  osTemplateId: unknown;
  hostname: unknown;
  idempotencyKey: unknown;
  /** When the wallet is short: record the deploy as waiting and open a top-up for the shortfall. */
  topUpIfShort?: unknown;
}

/** The payment a "Top up & deploy" waits for (checkoutUrl only while it still waits). */
export interface ServerTopup {
  amountCents: number;
  status: 'pending' | 'credited' | 'failed' | 'expired';
  checkoutUrl: string | null;
}

export interface DeployResult {
  server: Server;
  /** False when this idempotencyKey had already made the server (a double click, a retry). */
  created: boolean;
  /** "Top up & deploy": the checkout that pays for the waiting deploy. */
  topup?: StartedTopup & { amountCents: number };
}

/** How long one worker owns a provisioning row before another may take over. */
const LEASE_MS = 3 * 60_000;
/** Waits between attempts when VirtFusion cannot tell what happened (capped at the last). */
const RETRY_BACKOFF_MS = [60_000, 2 * 60_000, 5 * 60_000, 15 * 60_000, 30 * 60_000];
/** A deploy waiting for its top-up is cancelled after this long (nothing was charged). */
const AWAITING_FUNDS_MAX_MS = 24 * 3_600_000;
/** Deploys one customer may have waiting for payment at once (each holds an open Stripe checkout). */
const MAX_WAITING_DEPLOYS = 3;
/** How long a new deploy waits for the same customer's other deploy to finish with VirtFusion. */
const USER_LOCK_WAIT_MS = 3_000;
const USER_LOCK_POLL_MS = 150;

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,100}$/;

/** VirtFusion shows the build was accepted (queued, running or done). */
function buildStarted(s: VirtFusionServer): boolean {
  return s.built !== null || (s.commissionStatus ?? 0) >= 1 || (s.state !== null && s.state !== 'allocated');
}

/**
 * Servers from deploy to termination: reserve (charge + row, one transaction) → provision in
 * VirtFusion (create, build) → active; a definite failure refunds, an ambiguous one is settled by
 * asking VirtFusion, a crash is resumed by the sweep. Every money change is a ledger row.
 */
@Injectable()
export class ServersService {
  private readonly logger = new Logger('Servers');

  constructor(
    private readonly repo: ServersRepository,
    private readonly plans: PlansService,
    private readonly ledger: ServerLedger,
    private readonly users: UsersService,
    private readonly topups: TopupsService,
    private readonly virtfusion: VirtFusionClient,
    private readonly accounts: VirtFusionAccountsService,
    private readonly templates: TemplatesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Deploys a server paid from the wallet (see DeployInput); the same key twice is one server. */
  async deploy(user: User, input: DeployInput): Promise<DeployResult> {
    const req = validateDeploy(input);
    const existing = await this.repo.findByKey(user.id, req.idempotencyKey);
    if (existing) return this.repeat(existing, req);

    const plan = await this.plans.assertDeployable(req.planId);
    if (this.config.virtfusion?.hypervisorGroupId === undefined) throw new DeploysNotConfiguredError();
    await this.templates.assertOffered(plan, req.osTemplateId);
    // Before any money moves: a VirtFusion account problem (email taken) is the customer's to fix.
    await this.accounts.ensure(user);

    // One conversation with VirtFusion per customer at a time, taken before any money moves: a
    // deploy that cannot have it is refused with nothing charged. A double click's second copy
    // finds the first copy's server while it waits.
    const lock = await this.waitForUserLock(user.id, () => this.repo.findByKey(user.id, req.idempotencyKey));
    if (!('release' in lock)) return this.repeat(lock, req);
    try {
      let server: Server;
      try {
        server = await this.reserve(user, plan, req);
      } catch (err) {
        if (isUniqueViolation(err, 'servers_user_id_idempotency_key_key')) {
          // The other copy of a double click committed first.
          return await this.repeat((await this.repo.findByKey(user.id, req.idempotencyKey))!, req);
        }
        // Awaited here, inside the try: the lock is held until the waiting deploy is recorded (the
        // cap on waiting deploys counts under it), and a refusal is not left unhandled while the
        // finally releases the lock (which would end the process).
        if (err instanceof InsufficientFundsError && req.topUpIfShort)
          return await this.awaitFunds(user, plan, req, err);
        throw err;
      }
      return { server: await this.provision(server.id, lock), created: true };
    } finally {
      await lock.release();
    }
  }

  /**
   * The customer's provisioning lock, polled for a few seconds without holding a connection
   * while it waits (blocking in PostgreSQL would hold one of the pool's few connections per
   * waiting request). Returns early with what `meanwhile` finds.
   */
  private async waitForUserLock(
    userId: number,
    meanwhile: () => Promise<Server | null>,
  ): Promise<UserLock | Server> {
    const deadline = Date.now() + USER_LOCK_WAIT_MS;
    for (;;) {
      const lock = await this.repo.tryUserLock(userId);
      if (typeof lock !== 'string') return lock;
      const found = await meanwhile();
      if (found) return found;
      if (Date.now() >= deadline)
        throw lock === 'busy' ? new DeployInProgressError() : new DeploysBusyError();
      await new Promise((resolve) => setTimeout(resolve, USER_LOCK_POLL_MS));
    }
  }

  /** One user's servers, newest first. */
  listForUser(userId: number): Promise<Server[]> {
    return this.repo.list({ userId });
  }

  listAll(filter: { userId?: number } = {}): Promise<Server[]> {
    return this.repo.list(filter);
  }

  /** A server; with `ownerId`, only if it is theirs (someone else's is "not found", never "forbidden"). */
  async get(id: number, ownerId?: number): Promise<Server> {
    const server = Number.isSafeInteger(id) && id > 0 ? await this.repo.findById(id) : null;
    if (!server || (ownerId !== undefined && server.userId !== ownerId)) throw new ServerNotFoundError(id);
    return server;
  }

  events(serverId: number): Promise<ServerEvent[]> {
    return this.repo.events(serverId);
  }

  /** Servers the user has running or suspended (what the wallet page counts). */
  countActive(userId: number): Promise<number> {
    return this.repo.count({ userId, statuses: ['active', 'suspended'] });
  }

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
    return outcome === 'cancelled' ? this.get(waiting.id) : outcome;
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
    return reserved ? this.provision(reserved.id) : null;
  }

  /** Its own payment arrived but the wallet no longer covers the deploy: cancelled, money kept. */
  private async cancelShort(id: number): Promise<'cancelled' | null> {
    const s = await this.get(id);
    const topup = s.topupSessionId ? await this.topups.findBySession(s.topupSessionId) : null;
    const paid = topup ? formatCents(topup.amountCents, s.currency) : 'Your payment';
    const reason =
      `Your payment of ${paid} arrived, but your balance no longer covered ` +
      `${formatCents(s.priceMonthlyCents, s.currency)}: the money is in your wallet. Deploy again when you are ready.`;
    return (await this.cancelWaiting(id, reason, 'system', 'payment_short')) ? 'cancelled' : null;
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
        await this.provision(id);
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
          if (await this.cancelWaiting(s.id, reason, 'system', tooOld ? 'unpaid' : 'topup_failed'))
            cancelled++;
        }
      } catch (err) {
        this.logger.error(`server #${s.id}: waiting deploy: ${(err as Error).message}`);
      }
    }
    return { resumed, started, cancelled };
  }

  /**
   * The owner cancels a deploy that waits for its payment: closed at once (nothing was charged),
   * then its checkout is expired at Stripe so it can no longer be paid. Cancelling again answers
   * the same; a deploy that already started cannot be cancelled. With `linkToken` (the page came
   * back from Stripe's cancel_url and cancels without a click) only this deploy's own token
   * cancels: a link anyone could guess must not cancel a customer's deploy.
   */
  async cancelByOwner(id: number, ownerId: number, linkToken?: unknown): Promise<Server> {
    const server = await this.get(id, ownerId);
    if (linkToken !== undefined && !tokenMatches(linkToken, server.cancelTokenHash))
      throw new CancelLinkInvalidError();
    if (server.status !== 'awaiting_funds' && server.status !== 'cancelled')
      throw new ServerStateError(
        `Server ${id} is ${server.status}; only a deploy waiting for payment can be cancelled`,
      );
    if (
      server.status === 'awaiting_funds' &&
      !(await this.cancelWaiting(id, 'cancelled by you', `user:${ownerId}`, 'owner'))
    ) {
      // The payment arrived first and the deploy started: it is no longer the customer's to cancel.
      const now = await this.get(id);
      if (now.status !== 'cancelled')
        throw new ServerStateError(
          `Server ${id} is ${now.status}; only a deploy waiting for payment can be cancelled`,
        );
    }
    await this.expireCheckout(await this.get(id));
    return this.get(id);
  }

  /** The top-up a deploy was opened with, as its owner may see it (null: it had none). */
  async topupOf(server: Server): Promise<ServerTopup | null> {
    return (await this.topupsOf([server])).get(server.id) ?? null;
  }

  /** The same for a list of servers, in one query. */
  async topupsOf(servers: Server[]): Promise<Map<number, ServerTopup>> {
    const sessions = servers.map((s) => s.topupSessionId).filter((id): id is string => id !== null);
    const topups = await this.topups.findBySessions(sessions);
    const result = new Map<number, ServerTopup>();
    for (const s of servers) {
      const topup = s.topupSessionId ? topups.get(s.topupSessionId) : undefined;
      if (!topup) continue;
      result.set(s.id, {
        amountCents: topup.amountCents,
        status: topup.status,
        // A paid (or closed) checkout cannot be paid again: no dead Pay now.
        checkoutUrl: s.status === 'awaiting_funds' && topup.status === 'pending' ? s.topupCheckoutUrl : null,
      });
    }
    return result;
  }

  /** The deploy a user's top-up checkout was opened for, if any. */
  findByTopupSession(userId: number, sessionId: string): Promise<Server | null> {
    return this.repo.findByTopupSession(sessionId, userId);
  }

  /**
   * After a cancel: Stripe must not take money for a deploy that will not happen. Outside any
   * transaction (a network call). If Stripe cannot be reached the session stays payable until it
   * expires on its own (24 h); paid meanwhile, the credit lands in the wallet and the deploy stays
   * cancelled, so nothing is lost. A repeated cancel tries again.
   */
  private async expireCheckout(server: Server): Promise<void> {
    if (server.status !== 'cancelled' || !server.topupSessionId) return;
    const topup = await this.topups.findBySession(server.topupSessionId);
    if (topup?.status !== 'pending') return;
    const outcome = await this.topups.expireCheckout(server.topupSessionId);
    if (outcome === 'failed')
      await this.repo.event(
        server.id,
        'checkout_expire_failed',
        'system',
        'Stripe could not be reached; the checkout expires on its own within 24 h',
      );
  }

  /** An admin suspends an active server in VirtFusion (it stays suspended until an admin unsuspends it). */
  async suspendByAdmin(id: number, actor: string): Promise<Server> {
    const s = await this.get(id);
    if (s.status === 'suspended') return s;
    if (s.status !== 'active' || s.virtfusionServerId === null)
      throw new ServerStateError(`Server ${id} is ${s.status}; only an active server can be suspended`);
    await this.virtfusion.suspendServer(s.virtfusionServerId);
    await this.repo.transaction(async (em) => {
      await this.repo.update(
        id,
        { status: 'suspended', suspendedAt: this.clock.now(), suspendReason: 'admin' },
        em,
      );
      await this.repo.event(id, 'suspended', actor, 'suspended by an admin', em);
    });
    return this.get(id);
  }

  /** An admin unsuspends a suspended server (overdue or not: the admin decides). */
  async unsuspendByAdmin(id: number, actor: string): Promise<Server> {
    const s = await this.get(id);
    if (s.status === 'active') return s;
    if (s.status !== 'suspended' || s.virtfusionServerId === null)
      throw new ServerStateError(`Server ${id} is ${s.status}; only a suspended server can be unsuspended`);
    await this.virtfusion.unsuspendServer(s.virtfusionServerId);
    await this.repo.transaction(async (em) => {
      await this.repo.update(id, { status: 'active', suspendedAt: null, suspendReason: null }, em);
      await this.repo.event(
        id,
        'unsuspended',
        actor,
        s.overdueSince ? 'unsuspended by an admin while a renewal is unpaid' : 'unsuspended by an admin',
        em,
      );
    });
    return this.get(id);
  }

  /**
   * Drives a provisioning row as far as it can go. The caller holds the lease. Each step is
   * recorded before the call it stands for, so a crash leaves a row that says what to check.
   */
  async provision(id: number, userLock?: UserLock): Promise<Server> {
    let s = await this.get(id);
    try {
      while (s.status === 'provisioning') {
        if (s.step === 'reserved' || s.step === 'creating') await this.create(s, userLock);
        else if (s.step === 'created' || s.step === 'building') await this.build(s);
        else await this.activate(s, null);
        s = await this.get(id);
      }
    } catch (err) {
      // The database failing mid-way is not a reason to refund (VirtFusion may have done its
      // part): the row says how far it got, and the next attempt carries on from there.
      const failed =
        err instanceof StepFailed
          ? err
          : isDatabaseError(err)
            ? new StepFailed((err as Error).message, false, 'database')
            : null;
      if (!failed) throw err;
      if (failed.definite) await this.fail(s, failed.message);
      else await this.retryLater(s, failed);
      s = await this.get(id);
    }
    return s;
  }

  // ----- provisioning steps -----

  private async create(s: Server, heldLock?: UserLock): Promise<void> {
    const user = await this.users.getById(s.userId);
    const vfUserId = await this.step(() => this.accounts.ensure(user), 'linking the VirtFusion user');
    const plan = await this.plans.get({ planId: s.planId });
    if (heldLock) return this.createUnderLock(s, vfUserId, plan);
    // The sweep or a started waiting deploy: if the customer's other deploy has the lock, this
    // one is simply tried again later (nothing is refunded, nothing is blamed on VirtFusion).
    const lock = await this.repo.tryUserLock(s.userId);
    if (typeof lock === 'string')
      throw new StepFailed(
        lock === 'busy'
          ? "another of this customer's deploys is being provisioned"
          : 'the panel is busy with other deploys',
        false,
        'panel',
      );
    try {
      await this.createUnderLock(s, vfUserId, plan);
    } finally {
      await lock.release();
    }
  }

  /** POST /servers, or finding out what a lost one did; the caller holds the customer's lock. */
  private async createUnderLock(s: Server, vfUserId: number, plan: Plan): Promise<void> {
    if (s.step === 'creating') {
      // A previous attempt sent POST /servers and never heard back: VirtFusion says what happened.
      if (await this.adoptIfCreated(s, vfUserId)) return;
    } else {
      const before = await this.step(() => this.virtfusion.listUserServers(vfUserId), 'listing servers');
      await this.repo.update(s.id, {
        step: 'creating',
        virtfusionUserId: vfUserId,
        vfServersBefore: before.map((b) => b.id),
      });
      s.vfServersBefore = before.map((b) => b.id);
    }
    await this.repo.event(s.id, 'create_requested', 'system', `package ${plan.virtfusionPackageId}`);
    let created: VirtFusionServer;
    try {
      created = await this.virtfusion.createServer({
        packageId: plan.virtfusionPackageId,
        userId: vfUserId,
        hypervisorId: this.config.virtfusion!.hypervisorGroupId!,
      });
    } catch (err) {
      if (!isAmbiguous(err))
        throw new StepFailed(`VirtFusion refused to create the server: ${(err as Error).message}`, true);
      this.logger.warn(`server #${s.id}: create answer lost (${(err as Error).message}); asking VirtFusion`);
      if (await this.adoptIfCreated(s, vfUserId)) return;
      throw new StepFailed(`VirtFusion did not create the server: ${(err as Error).message}`, true);
    }
    // Outside the try above: failing to record it is the database's failure, not VirtFusion's
    // (the row still says 'creating', so the next attempt finds and adopts this server).
    await this.recordCreated(s.id, created.id, 'created');
  }

  /**
   * After a lost POST /servers answer: the user's servers now, minus those before the call and
   * those other panel rows hold, is what the call created. One: it is ours. None: nothing was
   * created. More than one: the panel cannot tell and does not guess.
   */
  private async adoptIfCreated(s: Server, vfUserId: number): Promise<boolean> {
    const now = await this.step(
      () => this.virtfusion.listUserServers(vfUserId),
      'checking what the create did',
    );
    const before = new Set(s.vfServersBefore ?? []);
    const fresh = now.map((v) => v.id).filter((id) => !before.has(id));
    const claimed = await this.repo.claimedVirtFusionIds(fresh);
    const candidates = fresh.filter((id) => !claimed.has(id));
    if (candidates.length === 1) {
      await this.recordCreated(s.id, candidates[0]!, 'adopted');
      return true;
    }
    if (candidates.length > 1) {
      throw new StepFailed(
        `VirtFusion shows ${candidates.length} new servers (${candidates.join(', ')}) for this user; an admin must decide which is server #${s.id}`,
        false,
      );
    }
    return false;
  }

  private async recordCreated(id: number, vfServerId: number, how: 'created' | 'adopted'): Promise<void> {
    await this.repo.transaction(async (em) => {
      await this.repo.update(id, { step: 'created', virtfusionServerId: vfServerId }, em);
      await this.repo.event(
        id,
        how,
        'system',
        how === 'created'
          ? `VirtFusion server ${vfServerId}`
          : `VirtFusion server ${vfServerId} (the create's answer was lost; found by asking VirtFusion)`,
        em,
      );
    });
  }

  private async build(s: Server): Promise<void> {
    const vfId = s.virtfusionServerId!;
    if (s.step === 'building') {
      // A previous attempt sent the build and never heard back.
      const current = await this.step(() => this.virtfusion.getServer(vfId), 'checking the build');
      if (!current) throw new StepFailed(`VirtFusion server ${vfId} no longer exists`, true);
      if (buildStarted(current)) return this.activate(s, current);
    } else {
      await this.repo.update(s.id, { step: 'building' });
    }
    await this.repo.event(s.id, 'build_requested', 'system', `OS template ${s.osTemplateId}`);
    let built: VirtFusionServer;
    try {
      built = await this.virtfusion.buildServer(vfId, {
        operatingSystemId: s.osTemplateId,
        hostname: s.hostname,
      });
    } catch (err) {
      if (!isAmbiguous(err))
        throw new StepFailed(`VirtFusion refused to build the server: ${(err as Error).message}`, true);
      const current = await this.step(() => this.virtfusion.getServer(vfId), 'checking the build');
      if (current && buildStarted(current)) return this.activate(s, current);
      throw new StepFailed(`VirtFusion did not start the build: ${(err as Error).message}`, true);
    }
    return this.activate(s, built);
  }

  private async activate(s: Server, vf: VirtFusionServer | null): Promise<void> {
    let ip = vf?.ipv4 ?? null;
    if (!ip && s.virtfusionServerId !== null) {
      // The address is a nicety; a server without one shown is still a working server.
      ip = await this.virtfusion.getServer(s.virtfusionServerId).then(
        (v) => v?.ipv4 ?? null,
        () => null,
      );
    }
    const now = this.clock.now();
    await this.repo.transaction(async (em) => {
      await this.repo.update(
        s.id,
        {
          status: 'active',
          step: 'done',
          ipAddress: ip,
          anchorAt: now,
          paidUntil: addMonths(now, s.periodsPaid),
          failureReason: null,
          leaseUntil: null,
        },
        em,
      );
      await this.repo.event(s.id, 'active', 'system', ip ? `IPv4 ${ip}` : null, em);
    });
    this.logger.log(
      `server #${s.id} (${s.hostname}) is active: VirtFusion ${s.virtfusionServerId}, ${ip ?? 'no IP yet'}`,
    );
  }

  /** A definite failure: the charge goes back to the wallet, the server is failed with the reason. */
  private async fail(s: Server, reason: string): Promise<void> {
    const refunded = await this.repo.transaction(async (em) => {
      const locked = await this.repo.lock(em, s.id);
      if (locked?.status !== 'provisioning') return false;
      await this.repo.update(
        s.id,
        { status: 'failed', failureReason: reason.slice(0, 500), leaseUntil: null },
        em,
      );
      await this.repo.event(s.id, 'failed', 'system', reason, em);
      if (locked.periodsPaid > 0) await this.ledger.refundFirstMonth(em, locked);
      return true;
    });
    this.logger.error(`server #${s.id} failed: ${reason}${refunded ? ' (refunded)' : ''}`);
    const latest = await this.get(s.id);
    if (refunded && latest.virtfusionServerId !== null) {
      // Whatever VirtFusion half-made is removed; if that fails an admin sees it in the events.
      await this.virtfusion.deleteServer(latest.virtfusionServerId).then(
        () =>
          this.repo.event(
            s.id,
            'deleted',
            'system',
            `VirtFusion server ${latest.virtfusionServerId} removed`,
          ),
        (err: Error) =>
          this.repo.event(
            s.id,
            'delete_failed',
            'system',
            `VirtFusion server ${latest.virtfusionServerId}: ${err.message}`,
          ),
      );
    }
  }

  /** VirtFusion could not say what happened: keep the money where it is and ask again later. */
  private async retryLater(s: Server, failed: StepFailed): Promise<void> {
    const reason = failed.message;
    const latest = await this.get(s.id);
    const wait = RETRY_BACKOFF_MS[Math.min(Math.max(latest.attempts - 1, 0), RETRY_BACKOFF_MS.length - 1)]!;
    const waitingFor = { virtfusion: 'VirtFusion', database: "the panel's database", panel: 'the panel' }[
      failed.source
    ];
    await this.repo.update(s.id, {
      failureReason: `waiting for ${waitingFor}: ${reason}`.slice(0, 500),
      leaseUntil: new Date(this.clock.now().getTime() + wait),
    });
    await this.repo.event(
      s.id,
      'retry_scheduled',
      'system',
      `${reason}; next attempt in ${Math.round(wait / 60_000)} min`,
    );
    this.logger.warn(`server #${s.id}: ${reason}; will ask again in ${Math.round(wait / 60_000)} min`);
  }

  /** Runs a VirtFusion call whose failure means "try later" (ambiguous) or "give up" (definite). */
  private async step<T>(call: () => Promise<T>, what: string): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof StepFailed) throw err;
      const message = `${what}: ${(err as Error).message}`;
      // An email VirtFusion already holds for someone else will not fix itself: refund.
      if (err instanceof VirtFusionEmailTakenError) throw new StepFailed(message, true);
      // VirtFusion down, token or URL wrong: for VirtFusion or the operator to fix; the money
      // stays where it is and the panel asks again later.
      if (err instanceof VirtFusionError) throw new StepFailed(message, false);
      // Not VirtFusion's doing (the database, the panel itself): never blamed on it, never refunded on it.
      throw new StepFailed(message, false, isDatabaseError(err) ? 'database' : 'panel');
    }
  }

  // ----- deploy helpers -----

  /** The row of a new deploy: charged and provisioning, or waiting for its top-up. */
  private newRow(
    user: User,
    plan: Plan,
    req: ValidDeploy,
    status: 'provisioning' | 'awaiting_funds',
  ): NewServer {
    const provisioning = status === 'provisioning';
    return {
      userId: user.id,
      planId: plan.id,
      status,
      hostname: req.hostname,
      osTemplateId: req.osTemplateId,
      idempotencyKey: req.idempotencyKey,
      priceMonthlyCents: plan.priceMonthlyCents!,
      currency: this.config.walletCurrency,
      periodsPaid: provisioning ? 1 : 0,
      leaseUntil: provisioning ? new Date(this.clock.now().getTime() + LEASE_MS) : null,
    };
  }

  /** The server row and its first month's charge, in one transaction (a short wallet: nothing written). */
  private async reserve(user: User, plan: Plan, req: ValidDeploy): Promise<Server> {
    return this.repo.transaction(async (em: EntityManager) => {
      const server = await this.repo.insert(em, this.newRow(user, plan, req, 'provisioning'));
      await this.ledger.chargeFirstMonth(em, server, plan.name, `user:${user.id}`);
      return server;
    });
  }

  private async awaitFunds(
    user: User,
    plan: Plan,
    req: ValidDeploy,
    short: InsufficientFundsError,
  ): Promise<DeployResult> {
    const { minCents, maxCents } = this.config.topups;
    const amountCents = Math.max(short.requestedCents - Math.max(short.balanceCents, 0), minCents);
    if (amountCents > maxCents) throw short;
    // Under the customer's deploy lock (taken in deploy), so two requests cannot both pass.
    if ((await this.repo.count({ userId: user.id, statuses: ['awaiting_funds'] })) >= MAX_WAITING_DEPLOYS)
      throw new TooManyWaitingDeploysError(MAX_WAITING_DEPLOYS);
    // Nothing written when its checkout could not be opened for that reason either.
    await this.topups.assertCanOpen(user);
    // Stripe's Cancel leads to the server's page with this token, which cancels the deploy on
    // arrival; stored hashed, so the database alone cannot forge the link.
    const cancelToken = randomBytes(24).toString('base64url');
    let server: Server;
    try {
      server = await this.repo.transaction(async (em) => {
        const s = await this.repo.insert(em, {
          ...this.newRow(user, plan, req, 'awaiting_funds'),
          cancelTokenHash: sha256(cancelToken),
        });
        await this.repo.event(
          s.id,
          'awaiting_funds',
          `user:${user.id}`,
          `top-up of ${formatCents(amountCents, this.config.walletCurrency)} opened`,
          em,
        );
        return s;
      });
    } catch (err) {
      if (isUniqueViolation(err, 'servers_user_id_idempotency_key_key'))
        return this.repeat((await this.repo.findByKey(user.id, req.idempotencyKey))!, req);
      throw err;
    }
    let topup: StartedTopup;
    try {
      topup = await this.topups.start(user, amountCents, {
        cancelPath: `/servers/${server.id}?checkout=cancelled&token=${cancelToken}`,
      });
    } catch (err) {
      await this.cancelWaiting(
        server.id,
        `the top-up could not be opened: ${(err as Error).message}`,
        'system',
        'topup_not_opened',
      );
      throw err;
    }
    await this.repo.update(server.id, {
      topupSessionId: topup.sessionId,
      topupCheckoutUrl: topup.checkoutUrl,
    });
    return { server: await this.get(server.id), created: true, topup: { ...topup, amountCents } };
  }

  /** Closes a waiting deploy (row lock: a concurrent start or cancel sees it); false if it no longer waited. */
  private cancelWaiting(id: number, reason: string, actor: string, why: CancelReason): Promise<boolean> {
    return this.repo.transaction(async (em) => {
      const s = await this.repo.lock(em, id);
      if (s?.status !== 'awaiting_funds') return false;
      await this.repo.update(
        id,
        { status: 'cancelled', cancelReason: why, failureReason: reason.slice(0, 500) },
        em,
      );
      const detail = /[.!?]$/.test(reason)
        ? `${reason} Nothing was charged.`
        : `${reason}; nothing was charged`;
      await this.repo.event(id, 'cancelled', actor, detail, em);
      return true;
    });
  }

  /** The answer to a key already used: its server (and, while it waits, the checkout that pays for it). */
  private async repeat(existing: Server, req: ValidDeploy): Promise<DeployResult> {
    if (
      existing.planId !== req.planId ||
      existing.osTemplateId !== req.osTemplateId ||
      existing.hostname !== req.hostname
    ) {
      throw new DeployKeyReusedError();
    }
    const topup =
      existing.status === 'awaiting_funds' && existing.topupSessionId && existing.topupCheckoutUrl
        ? await this.topups.findBySession(existing.topupSessionId)
        : null;
    return {
      server: existing,
      created: false,
      ...(topup
        ? {
            topup: {
              sessionId: existing.topupSessionId!,
              checkoutUrl: existing.topupCheckoutUrl!,
              amountCents: topup.amountCents,
            },
          }
        : {}),
    };
  }
}

/**
 * A provisioning step that did not complete; `definite`: VirtFusion certainly did not do it.
 * `source`: what failed, which is what the server's failure reason names.
 */
class StepFailed extends Error {
  constructor(
    message: string,
    readonly definite: boolean,
    readonly source: 'virtfusion' | 'database' | 'panel' = 'virtfusion',
  ) {
    super(message);
  }
}

interface ValidDeploy {
  planId: number;
  osTemplateId: number;
  hostname: string;
  idempotencyKey: string;
  topUpIfShort: boolean;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A cancel link's token against the stored hash, in constant time. */
function tokenMatches(token: unknown, hash: string | null): boolean {
  if (typeof token !== 'string' || hash === null || token.length > 200) return false;
  return timingSafeEqual(Buffer.from(sha256(token), 'hex'), Buffer.from(hash, 'hex'));
}

function validateDeploy(input: DeployInput): ValidDeploy {
  const problems: string[] = [];
  const id = (v: unknown, name: string) => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1)
      problems.push(`${name} must be a positive whole number`);
    return v as number;
  };
  const planId = id(input.planId, 'planId');
  const osTemplateId = id(input.osTemplateId, 'osTemplateId');
  const hostname = typeof input.hostname === 'string' ? input.hostname.trim().toLowerCase() : '';
  if (!HOSTNAME.test(hostname))
    problems.push(
      'hostname must be a valid host name (letters, digits and hyphens, dot-separated, up to 253 characters)',
    );
  const key = input.idempotencyKey;
  if (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key))
    problems.push('idempotencyKey must be 8 to 100 characters of letters, digits, _ . : -');
  if (input.topUpIfShort !== undefined && typeof input.topUpIfShort !== 'boolean')
    problems.push('topUpIfShort must be true or false');
  if (problems.length) throw new ValidationError(problems.join('; '));
  return {
    planId,
    osTemplateId,
    hostname,
    idempotencyKey: key as string,
    topUpIfShort: input.topUpIfShort === true,
  };
}
