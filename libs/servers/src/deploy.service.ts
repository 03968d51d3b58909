import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { StartedTopup, TopupsService } from '@ozvps/billing';
import { APP_CONFIG, AppConfig, Clock, CLOCK, formatCents, isUniqueViolation } from '@ozvps/core';
import { Plan, PlansService } from '@ozvps/plans';
import { User } from '@ozvps/users';
import { InsufficientFundsError } from '@ozvps/wallet';
import {
  CancelLinkInvalidError,
  DeployInProgressError,
  DeployKeyReusedError,
  DeploysBusyError,
  DeploysNotConfiguredError,
  ServerStateError,
  TooManyWaitingDeploysError,
} from './errors';
import { LEASE_MS, ProvisioningService } from './provisioning.service';
import { CancelReason, Server } from './server.entity';
import { ServerLedger } from './server-ledger';
import { ServerQueriesService } from './server-queries.service';
import { NewServer, ServersRepository, UserLock } from './servers.repository';
import { parseSshKeyIds, SshKeysService } from './ssh-keys.service';
import { TemplatesService } from './templates.service';
import { VirtFusionAccountsService } from './virtfusion-accounts.service';

/** A deploy request whose shape the caller has checked (the API: DeployDto, against the patterns below). */
export interface DeployInput {
  planId: number;
  osTemplateId: number;
  /** Compared and stored trimmed and lower-cased. */
  hostname: string;
  idempotencyKey: string;
  /** When the wallet is short: record the deploy as waiting and open a top-up for the shortfall. */
  topUpIfShort?: boolean;
  /** The customer's SSH keys (ids) the build installs. */
  sshKeyIds?: number[];
}

export interface DeployResult {
  server: Server;
  /** False when this idempotencyKey had already made the server (a double click, a retry). */
  created: boolean;
  /** "Top up & deploy": the checkout that pays for the waiting deploy. */
  topup?: StartedTopup & { amountCents: number };
}

/** Deploys one customer may have waiting for payment at once (each holds an open Stripe checkout). */
const MAX_WAITING_DEPLOYS = 3;
/** How long a new deploy waits for the same customer's other deploy to finish with VirtFusion. */
const USER_LOCK_WAIT_MS = 3_000;
const USER_LOCK_POLL_MS = 150;

/** A deploy's host name, once trimmed and lower-cased. */
export const HOSTNAME_PATTERN =
  /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
/** What a client may use as a deploy's idempotencyKey. */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_.:-]{8,100}$/;

/**
 * A customer's deploy: reserve (charge + row, one transaction) then provisioning; or, when the
 * wallet is short, a row waiting for the top-up opened for it, which the owner may cancel.
 */
@Injectable()
export class DeployService {
  constructor(
    private readonly repo: ServersRepository,
    private readonly queries: ServerQueriesService,
    private readonly provisioning: ProvisioningService,
    private readonly plans: PlansService,
    private readonly ledger: ServerLedger,
    private readonly topups: TopupsService,
    private readonly accounts: VirtFusionAccountsService,
    private readonly templates: TemplatesService,
    private readonly sshKeys: SshKeysService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Deploys a server paid from the wallet (see DeployInput); the same key twice is one server. */
  async deploy(user: User, input: DeployInput): Promise<DeployResult> {
    const req = canonical(input);
    const existing = await this.repo.findByKey(user.id, req.idempotencyKey);
    if (existing) return this.repeat(existing, req);

    const plan = await this.plans.assertDeployable(req.planId);
    if (this.config.virtfusion?.hypervisorGroupId === undefined) throw new DeploysNotConfiguredError();
    await this.templates.assertOffered(plan, req.osTemplateId);
    // Another customer's key id refuses the deploy before anything is written.
    req.sshKeyIds = (await this.sshKeys.owned(user.id, parseSshKeyIds(input.sshKeyIds))).map((k) => k.id);
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
      return { server: await this.provisioning.provision(server.id, lock), created: true };
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

  /**
   * The owner cancels a deploy that waits for its payment: closed at once (nothing was charged),
   * then its checkout is expired at Stripe so it can no longer be paid. Cancelling again answers
   * the same; a deploy that already started cannot be cancelled. With `linkToken` (the page came
   * back from Stripe's cancel_url and cancels without a click) only this deploy's own token
   * cancels: a link anyone could guess must not cancel a customer's deploy.
   */
  async cancelByOwner(id: number, ownerId: number, linkToken?: unknown): Promise<Server> {
    const server = await this.queries.get(id, ownerId);
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
      const now = await this.queries.get(id);
      if (now.status !== 'cancelled')
        throw new ServerStateError(
          `Server ${id} is ${now.status}; only a deploy waiting for payment can be cancelled`,
        );
    }
    await this.expireCheckout(await this.queries.get(id));
    return this.queries.get(id);
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
      sshKeyIds: req.sshKeyIds?.length ? req.sshKeyIds : null,
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
    return { server: await this.queries.get(server.id), created: true, topup: { ...topup, amountCents } };
  }

  /** Closes a waiting deploy (row lock: a concurrent start or cancel sees it); false if it no longer waited. */
  cancelWaiting(id: number, reason: string, actor: string, why: CancelReason): Promise<boolean> {
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

interface ValidDeploy {
  planId: number;
  osTemplateId: number;
  hostname: string;
  idempotencyKey: string;
  topUpIfShort: boolean;
  sshKeyIds?: number[];
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A cancel link's token against the stored hash, in constant time. */
function tokenMatches(token: unknown, hash: string | null): boolean {
  if (typeof token !== 'string' || hash === null || token.length > 200) return false;
  return timingSafeEqual(Buffer.from(sha256(token), 'hex'), Buffer.from(hash, 'hex'));
}

function canonical(input: DeployInput): ValidDeploy {
  return {
    planId: input.planId,
    osTemplateId: input.osTemplateId,
    hostname: input.hostname.trim().toLowerCase(),
    idempotencyKey: input.idempotencyKey,
    topUpIfShort: input.topUpIfShort === true,
  };
}
