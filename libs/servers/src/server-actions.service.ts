import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuditTrail, Clock, CLOCK, isUniqueViolation, ValidationError } from '@ozvps/core';
import { UsersService } from '@ozvps/users';
import {
  VirtFusionClient,
  VirtFusionError,
  VirtFusionNotConfiguredError,
  VirtFusionNotFoundError,
  VirtFusionPowerAction,
  VirtFusionRejectedError,
  VirtFusionServer,
} from '@ozvps/virtfusion';
import {
  ActionInProgressError,
  ConfirmationMismatchError,
  NoVirtFusionAccountError,
  ServerNotFoundError,
  ServerNotReadyError,
  ServerStateError,
  ServerSuspendedError,
  TemplateNotOfferedError,
  TooManyActionsError,
  VirtFusionDidNotAnswerError,
  VirtFusionRefusedError,
  VirtFusionServerMissingError,
} from './errors';
import { assertHostname } from './hostname';
import { ActionKind, POWER_ACTIONS, PowerAction, ServerAction } from './server-action.entity';
import { ServerActionsRepository } from './server-actions.repository';
import { Server } from './server.entity';
import { ServerMail } from './server-mail';
import { ServersRepository } from './servers.repository';
import { parseSshKeyIds, SshKeysService } from './ssh-keys.service';

/** At most this many actions per server in RATE_WINDOW_MS (a restart loop, a script gone wrong). */
export const ACTIONS_PER_WINDOW = 10;
export const RATE_WINDOW_MS = 10 * 60_000;

/** How long an action may take before it is recorded as failed ("did not settle"). */
const SETTLE_TIMEOUT_MS: Record<ActionKind, number> = {
  start: 5 * 60_000,
  shutdown: 5 * 60_000,
  restart: 5 * 60_000,
  poweroff: 5 * 60_000,
  reset_password: 5 * 60_000,
  reinstall: 30 * 60_000,
};

const VF_POWER: Record<PowerAction, VirtFusionPowerAction> = {
  start: 'boot',
  shutdown: 'shutdown',
  restart: 'restart',
  poweroff: 'poweroff',
};

/** Who may act on which server: a customer on their own (`ownerId`), staff on any. */
export interface ActionScope {
  actor: string;
  /** Set for customers: any other user's server is "not found". */
  ownerId?: number;
}

export interface ReinstallInput {
  templateId: unknown;
  sshKeyIds?: unknown;
  confirmHostname: unknown;
}

export type PowerState = 'running' | 'stopped' | 'building' | 'suspended' | 'unknown';

export interface ServerState {
  power: PowerState;
  reachable: boolean;
  action: ServerAction | null;
}

export interface OsTemplate {
  id: number;
  name: string;
  description: string | null;
}

/**
 * What a customer (or staff) does to a running server through VirtFusion: power, reinstall, root
 * password. One action at a time per server (a partial unique index), a few per ten minutes; each
 * settles by asking VirtFusion (its queue item, or the server's state) when the page polls.
 * Every request and outcome is a server event with its actor. VirtFusion is never called inside
 * a transaction.
 */
@Injectable()
export class ServerActionsService {
  private readonly logger = new Logger('ServerActions');

  constructor(
    private readonly servers: ServersRepository,
    private readonly actions: ServerActionsRepository,
    private readonly virtfusion: VirtFusionClient,
    private readonly sshKeys: SshKeysService,
    private readonly users: UsersService,
    private readonly mail: ServerMail,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The server, if the scope may see it (someone else's is "not found", never "forbidden"). */
  async find(id: number, scope: Pick<ActionScope, 'ownerId'>): Promise<Server> {
    const server = Number.isSafeInteger(id) && id > 0 ? await this.servers.findById(id) : null;
    if (!server || (scope.ownerId !== undefined && server.userId !== scope.ownerId))
      throw new ServerNotFoundError(id);
    return server;
  }

  /** start | shutdown | restart | poweroff; 202 with the running action. */
  async power(id: number, action: unknown, scope: ActionScope): Promise<ServerAction> {
    if (typeof action !== 'string' || !(POWER_ACTIONS as readonly string[]).includes(action))
      throw new ValidationError(`action must be one of ${POWER_ACTIONS.join(', ')}`);
    const kind = action as PowerAction;
    const server = await this.find(id, scope);
    const started = await this.begin(server, kind, scope.actor);
    const { queueId } = await this.call(started, () =>
      this.virtfusion.power(server.virtfusionServerId!, VF_POWER[kind]),
    );
    await this.actions.setQueueId(started.id, queueId);
    return (await this.actions.findById(started.id))!;
  }

  /**
   * A new root password from VirtFusion, returned once: never stored, never logged, never put
   * in an event.
   */
  async resetPassword(id: number, scope: ActionScope): Promise<{ password: string; action: ServerAction }> {
    const server = await this.find(id, scope);
    const started = await this.begin(server, 'reset_password', scope.actor);
    // A reset that got no answer may still have happened in VirtFusion (it is never retried): the
    // customer is told so, rather than "nothing was changed", and can reset again to see a password.
    const { queueId, password } = await this.call(
      started,
      () => this.virtfusion.resetPassword(server.virtfusionServerId!),
      'VirtFusion did not answer: the root password may have been reset without being shown — reset it again to get one you can see',
    );
    await this.actions.setQueueId(started.id, queueId);
    return { password, action: (await this.actions.findById(started.id))! };
  }

  /** The OS templates VirtFusion offers for rebuilding this server. */
  async templates(id: number, scope: Pick<ActionScope, 'ownerId'>): Promise<OsTemplate[]> {
    const server = this.usable(await this.find(id, scope));
    const templates = await this.ask(() => this.virtfusion.serverTemplates(server.virtfusionServerId!));
    return templates.map((t) => ({
      id: t.id,
      name: [t.name, t.version, t.variant].filter(Boolean).join(' '),
      description: t.description ?? null,
    }));
  }

  /** Rebuilds the server with another OS (erases the disk): the hostname must be typed to confirm. */
  async reinstall(id: number, input: ReinstallInput, scope: ActionScope): Promise<ServerAction> {
    const templateId = input.templateId;
    if (typeof templateId !== 'number' || !Number.isSafeInteger(templateId) || templateId < 1)
      throw new ValidationError('templateId must be a positive whole number');
    const keyIds = parseSshKeyIds(input.sshKeyIds);
    if (typeof input.confirmHostname !== 'string')
      throw new ValidationError("confirmHostname must be the server's hostname, typed to confirm");
    const server = this.usable(await this.find(id, scope));
    if (input.confirmHostname.trim().toLowerCase() !== server.hostname)
      throw new ConfirmationMismatchError(server.hostname);
    // Keys belong to the server's owner (staff reinstall with the customer's keys, never their own).
    const keys = await this.sshKeys.owned(server.userId, keyIds);
    const offered = await this.templates(id, scope);
    const template = offered.find((t) => t.id === templateId);
    if (!template)
      throw new TemplateNotOfferedError(
        `OS template ${templateId} is not offered for this server; GET /api/servers/${id}/templates lists those that are`,
      );
    const owner = await this.users.getById(server.userId);
    const vfKeys = await this.ask(() => this.sshKeys.virtFusionIds(owner, keys));
    const started = await this.begin(server, 'reinstall', scope.actor);
    await this.call(started, () =>
      this.virtfusion.buildServer(server.virtfusionServerId!, {
        operatingSystemId: templateId,
        hostname: server.hostname,
        sshKeys: vfKeys,
      }),
    );
    await this.servers.transaction(async (em) => {
      await this.servers.update(server.id, { osTemplateId: templateId }, em);
      await this.servers.event(
        server.id,
        'reinstall_requested',
        scope.actor,
        `${template.name}${keys.length ? ` with SSH key${keys.length > 1 ? 's' : ''} ${keys.map((k) => k.name).join(', ')}` : ''}`,
        em,
      );
    });
    return (await this.actions.findById(started.id))!;
  }

  /** Renames the server in VirtFusion and here; the same hostname rules as deploy. */
  async rename(id: number, hostname: unknown, scope: ActionScope): Promise<Server> {
    const name = assertHostname(hostname);
    const server = this.usable(await this.find(id, scope));
    if (name === server.hostname) return server;
    const running = await this.settledRunning(server);
    if (running) throw new ActionInProgressError(running.kind);
    await this.ask(() => this.virtfusion.renameServer(server.virtfusionServerId!, name));
    await this.servers.transaction(async (em) => {
      await this.servers.update(server.id, { hostname: name }, em);
      await this.servers.event(server.id, 'renamed', scope.actor, `${server.hostname} → ${name}`, em);
    });
    return this.find(id, {});
  }

  /** A one-time VirtFusion login that opens this server (its console); valid 60 s. */
  async consoleUrl(id: number, scope: ActionScope): Promise<string> {
    const server = this.usable(await this.find(id, scope));
    const url = await this.ask(() => this.virtfusion.loginUrl(server.userId, server.virtfusionServerId!));
    await this.servers.event(server.id, 'console_opened', scope.actor, null);
    return url;
  }

  /** "Manage in VirtFusion": a one-time login to the user's whole VirtFusion account (60 s). */
  async accountLoginUrl(userId: number): Promise<string> {
    if ((await this.servers.virtFusionUserId(userId)) === null) throw new NoVirtFusionAccountError();
    return this.ask(() => this.virtfusion.loginUrl(userId));
  }

  /** Traffic this billing month against the plan's allowance, plus the months before it. */
  async traffic(id: number, scope: Pick<ActionScope, 'ownerId'>) {
    const server = await this.find(id, scope);
    if (!['active', 'suspended'].includes(server.status) || server.virtfusionServerId === null)
      throw new ServerNotReadyError(server.status);
    const periods = await this.ask(() => this.virtfusion.traffic(server.virtfusionServerId!));
    const current = periods[0];
    const GB = 1024 ** 3;
    return {
      periodStart: current?.start ?? null,
      periodEnd: current?.end ?? null,
      usedBytes: current ? current.rxBytes + current.txBytes : 0,
      allowanceBytes: current && current.limitGb > 0 ? current.limitGb * GB : null,
      // VirtFusion reports whole billing months only; no per-day series exists to show.
      days: [] as { date: string; inBytes: number; outBytes: number }[],
      months: periods.map((p) => ({
        periodStart: p.start,
        periodEnd: p.end,
        inBytes: p.rxBytes,
        outBytes: p.txBytes,
      })),
    };
  }

  /**
   * Power as VirtFusion reports it, and the latest action (settled first if it was running: this
   * is what the page polls, so it is where actions end).
   */
  async state(id: number, scope: Pick<ActionScope, 'ownerId'>): Promise<ServerState> {
    const server = await this.find(id, scope);
    let vf: VirtFusionServer | null = null;
    let reachable = false;
    if (server.virtfusionServerId !== null && ['active', 'suspended'].includes(server.status)) {
      try {
        vf = await this.virtfusion.getServer(server.virtfusionServerId, { remoteState: true, once: true });
        reachable = vf !== null;
      } catch (err) {
        this.logger.warn(`server #${server.id}: state not read from VirtFusion: ${(err as Error).message}`);
      }
    }
    let action = await this.actions.latest(server.id);
    // VirtFusion not answering: nothing to ask it now, but a late action still ends.
    if (action?.status === 'running')
      action = reachable ? await this.settle(action, server, vf, reachable) : await this.expireIfLate(action);
    return { power: powerOf(server, vf), reachable, action };
  }

  /** The newest action of each server (for lists). */
  latestActions(serverIds: number[]): Promise<Map<number, ServerAction>> {
    return this.actions.latestOf(serverIds);
  }

  /** Settles every running action (the scheduler, for actions nobody is watching). */
  async settleAll(): Promise<number> {
    let settled = 0;
    for (const a of await this.actions.allRunning()) {
      try {
        const server = await this.servers.findById(a.serverId);
        if (server && (await this.settle(a, server, undefined, false)).status !== 'running') settled++;
      } catch (err) {
        this.logger.error(`action #${a.id}: settling failed: ${(err as Error).message}`);
      }
    }
    return settled;
  }

  /**
   * An admin ends a server now: deleted in VirtFusion, then recorded terminated (no refund). The
   * hostname typed to confirm must match.
   */
  async terminate(id: number, confirmHostname: unknown, actor: string): Promise<Server> {
    const server = await this.find(id, {});
    if (typeof confirmHostname !== 'string' || confirmHostname.trim().toLowerCase() !== server.hostname)
      throw new ConfirmationMismatchError(server.hostname);
    if (server.status === 'terminated') return server;
    if (!['active', 'suspended', 'failed'].includes(server.status))
      throw new ServerStateError(
        `Server ${id} is ${server.status}; only an active, suspended or failed server can be terminated`,
      );
    if (server.virtfusionServerId !== null)
      await this.ask(() => this.virtfusion.deleteServer(server.virtfusionServerId!));
    const now = this.clock.now();
    await this.servers.transaction(async (em) => {
      await this.servers.update(
        server.id,
        { status: 'terminated', terminatedAt: now, cancelAtPeriodEnd: false },
        em,
      );
      const running = await this.actions.running(server.id, em);
      if (running) await this.actions.finish(em, running.id, 'failed', 'the server was terminated', now);
      await this.servers.event(
        server.id,
        'terminated',
        actor,
        'terminated by support; deleted in VirtFusion',
        em,
      );
      await AuditTrail.record(em, {
        actor,
        action: 'servers.terminate',
        target: { type: 'server', id: server.id },
        before: { status: server.status },
        after: { status: 'terminated' },
      });
      await this.mail.terminated(em, server, 'admin');
    });
    this.logger.warn(`server #${server.id} (${server.hostname}) terminated by ${actor}`);
    return this.find(id, {});
  }

  // ----- one action at a time -----

  /** The server can be acted on: active in the panel and known to VirtFusion. */
  private usable(server: Server): Server {
    if (server.status === 'suspended') throw new ServerSuspendedError(server.suspendReason);
    if (server.status !== 'active' || server.virtfusionServerId === null)
      throw new ServerNotReadyError(server.status);
    return server;
  }

  /** The running action, after giving it a chance to settle (it may have finished meanwhile). */
  private async settledRunning(server: Server): Promise<ServerAction | null> {
    const running = await this.actions.running(server.id);
    if (!running) return null;
    const after = await this.settle(running, server, undefined, false);
    return after.status === 'running' ? after : null;
  }

  /**
   * Records a running action, or refuses: another one runs (409, decided by the unique index even
   * between processes), or too many in the window (429). The server row is locked meanwhile, so
   * its status cannot change under the check.
   */
  private async begin(server: Server, kind: ActionKind, actor: string): Promise<ServerAction> {
    this.usable(server);
    await this.settledRunning(server);
    const now = this.clock.now();
    try {
      return await this.actions.transaction(async (em) => {
        const locked = await this.servers.lock(em, server.id);
        this.usable(locked!);
        const running = await this.actions.running(server.id, em);
        if (running) throw new ActionInProgressError(running.kind);
        const recent = await this.actions.countSince(em, server.id, new Date(now.getTime() - RATE_WINDOW_MS));
        if (recent >= ACTIONS_PER_WINDOW)
          throw new TooManyActionsError(ACTIONS_PER_WINDOW, RATE_WINDOW_MS / 60_000);
        const action = await this.actions.start(em, { serverId: server.id, kind, actor, startedAt: now });
        if (kind !== 'reinstall') await this.servers.event(server.id, `${kind}_requested`, actor, null, em);
        await AuditTrail.recordIfStaff(em, {
          actor,
          action: `servers.${kind.replace(/_/g, '-')}`,
          target: { type: 'server', id: server.id },
          before: { status: locked!.status },
          after: { actionId: action.id, kind },
        });
        return action;
      });
    } catch (err) {
      if (isUniqueViolation(err, 'server_actions_one_running_key')) throw new ActionInProgressError(kind);
      throw err;
    }
  }

  /** The VirtFusion call that starts an action; a failure ends the action as failed, and says why. */
  private async call<T>(action: ServerAction, fn: () => Promise<T>, unanswered?: string): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const mapped = this.mapped(err, unanswered);
      await this.end(action, 'failed', mapped.message);
      throw mapped;
    }
  }

  /** A VirtFusion call outside an action (templates, traffic, rename, console): errors mapped. */
  private async ask<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.mapped(err);
    }
  }

  private mapped(err: unknown, unanswered?: string): Error {
    if (err instanceof VirtFusionNotConfiguredError) return err;
    if (err instanceof VirtFusionRejectedError)
      return new VirtFusionRefusedError(err.detail ?? 'VirtFusion refused the request');
    if (err instanceof VirtFusionError) {
      // The operator's detail (status, path) goes to the log; the customer gets the plain sentence.
      this.logger.warn(err.message);
      if (err instanceof VirtFusionNotFoundError) return new VirtFusionServerMissingError();
      return new VirtFusionDidNotAnswerError(unanswered);
    }
    return err as Error;
  }

  /** Ends the action (once) and records the outcome as a server event with the action's actor. */
  private async end(
    action: ServerAction,
    status: 'succeeded' | 'failed',
    message: string | null,
  ): Promise<ServerAction> {
    const ended = await this.actions.transaction(async (em) => {
      const row = await this.actions.finish(em, action.id, status, message, this.clock.now());
      if (row)
        await this.servers.event(action.serverId, `${action.kind}_${status}`, action.actor, message, em);
      return row;
    });
    return ended ?? (await this.actions.findById(action.id))!;
  }

  /**
   * Asks VirtFusion whether a running action has finished: its queue item (power, password), or
   * the server's build state (reinstall). Past its timeout it is failed as "did not settle".
   * `vf` undefined: read it here if needed.
   */
  private async settle(
    action: ServerAction,
    server: Server,
    vf: VirtFusionServer | null | undefined,
    reachable: boolean,
  ): Promise<ServerAction> {
    try {
      if (action.queueId !== null) {
        const item = await this.virtfusion.queueItem(action.queueId);
        if (item?.finished)
          return await this.end(
            action,
            item.failed ? 'failed' : 'succeeded',
            item.failed ? (item.message ?? 'VirtFusion reported the job as failed') : null,
          );
      } else if (action.kind !== 'reinstall' && server.virtfusionServerId !== null) {
        // No queue item to ask (VirtFusion gave none): done when its jobs are and the power is right.
        const now =
          vf === undefined || !reachable
            ? await this.virtfusion.getServer(server.virtfusionServerId, { remoteState: true })
            : vf;
        const expected = action.kind === 'shutdown' || action.kind === 'poweroff' ? 'stopped' : 'running';
        if (now && !now.tasksActive && (action.kind === 'reset_password' || now.power === expected))
          return await this.end(action, 'succeeded', null);
      } else if (action.kind === 'reinstall' && server.virtfusionServerId !== null) {
        const now =
          vf === undefined || !reachable ? await this.virtfusion.getServer(server.virtfusionServerId) : vf;
        if (now?.buildFailed)
          return await this.end(action, 'failed', 'VirtFusion could not build the server');
        if (now && !now.tasksActive && !now.rebuilding && now.state === 'complete')
          return await this.end(action, 'succeeded', null);
      }
    } catch (err) {
      // Not known yet: asked again on the next poll, until the timeout.
      this.logger.warn(`action #${action.id}: ${(err as Error).message}`);
    }
    return this.expireIfLate(action);
  }

  /** A running action past its timeout is failed as "did not settle"; else unchanged. */
  private async expireIfLate(action: ServerAction): Promise<ServerAction> {
    if (this.clock.now().getTime() - action.startedAt.getTime() > SETTLE_TIMEOUT_MS[action.kind])
      return this.end(
        action,
        'failed',
        `did not settle within ${SETTLE_TIMEOUT_MS[action.kind] / 60_000} minutes; check the server in VirtFusion`,
      );
    return action;
  }
}

function powerOf(server: Server, vf: VirtFusionServer | null): PowerState {
  if (server.status === 'suspended' || vf?.suspended) return 'suspended';
  if (server.status === 'provisioning') return 'building';
  if (!vf) return 'unknown';
  if (vf.rebuilding || vf.buildFailed || (vf.state !== null && vf.state !== 'complete')) return 'building';
  return vf.power ?? 'unknown';
}
