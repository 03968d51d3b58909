import { Inject, Injectable, Logger } from '@nestjs/common';
import { addMonths, APP_CONFIG, AppConfig, Clock, CLOCK, isDatabaseError } from '@ozvps/core';
import { Plan, PlansService } from '@ozvps/plans';
import { UsersService } from '@ozvps/users';
import { isAmbiguous, VirtFusionClient, VirtFusionError, VirtFusionServer } from '@ozvps/virtfusion';
import { VirtFusionEmailTakenError } from './errors';
import { Server } from './server.entity';
import { ServerLedger } from './server-ledger';
import { ServerQueriesService } from './server-queries.service';
import { ServerMail } from './server-mail';
import { ServersRepository, UserLock } from './servers.repository';
import { SshKeysService } from './ssh-keys.service';
import { VirtFusionAccountsService } from './virtfusion-accounts.service';

/** How long one worker owns a provisioning row before another may take over. */
export const LEASE_MS = 3 * 60_000;
/** Waits between attempts when VirtFusion cannot tell what happened (capped at the last). */
const RETRY_BACKOFF_MS = [60_000, 2 * 60_000, 5 * 60_000, 15 * 60_000, 30 * 60_000];

/** VirtFusion shows the build was accepted (queued, running or done). */
function buildStarted(s: VirtFusionServer): boolean {
  return s.built !== null || (s.commissionStatus ?? 0) >= 1 || (s.state !== null && s.state !== 'allocated');
}

/**
 * Provisioning in VirtFusion (create, build) → active, for a row that is already charged; a
 * definite failure refunds, an ambiguous one is settled by asking VirtFusion, a crash is resumed
 * by the sweep. Every money change is a ledger row.
 */
@Injectable()
export class ProvisioningService {
  private readonly logger = new Logger('Servers');

  constructor(
    private readonly repo: ServersRepository,
    private readonly queries: ServerQueriesService,
    private readonly plans: PlansService,
    private readonly ledger: ServerLedger,
    private readonly users: UsersService,
    private readonly virtfusion: VirtFusionClient,
    private readonly accounts: VirtFusionAccountsService,
    private readonly mail: ServerMail,
    private readonly sshKeys: SshKeysService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Drives a provisioning row as far as it can go. The caller holds the lease. Each step is
   * recorded before the call it stands for, so a crash leaves a row that says what to check.
   */
  async provision(id: number, userLock?: UserLock): Promise<Server> {
    let s = await this.queries.get(id);
    try {
      while (s.status === 'provisioning') {
        if (s.step === 'reserved' || s.step === 'creating') await this.create(s, userLock);
        else if (s.step === 'created' || s.step === 'building') await this.build(s);
        else await this.activate(s, null);
        s = await this.queries.get(id);
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
      s = await this.queries.get(id);
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
    // The customer's chosen keys, copied to their VirtFusion account first (VirtFusion failing
    // here is like failing the build call: asked again later).
    const sshKeys = s.sshKeyIds?.length
      ? await this.step(
          async () => this.sshKeys.virtFusionIdsFor(await this.users.getById(s.userId), s.sshKeyIds!),
          'adding SSH keys',
        )
      : [];
    await this.repo.event(s.id, 'build_requested', 'system', `OS template ${s.osTemplateId}`);
    let built: VirtFusionServer;
    try {
      built = await this.virtfusion.buildServer(vfId, {
        operatingSystemId: s.osTemplateId,
        hostname: s.hostname,
        sshKeys,
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
    const osName = await this.mail.osNameOf(s);
    const sshKeyNames = await this.sshKeys.namesOf(s.userId, s.sshKeyIds ?? []);
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
      await this.mail.serverReady(em, s, ip, osName, sshKeyNames);
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
    const latest = await this.queries.get(s.id);
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
    const latest = await this.queries.get(s.id);
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
