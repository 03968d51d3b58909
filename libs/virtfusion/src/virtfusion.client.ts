import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { AxiosError, AxiosInstance, AxiosResponse } from 'axios';
import { APP_CONFIG, AppConfig, VirtFusionConfig } from '@ozvps/core';
import {
  VIRTFUSION_CALL,
  VIRTFUSION_REACHABILITY,
  VirtFusionCallEvent,
  VirtFusionCallOutcome,
  VirtFusionReachabilityEvent,
} from './virtfusion-reachability.event';
import {
  VirtFusionAuthError,
  VirtFusionBadResponseError,
  VirtFusionError,
  VirtFusionNotConfiguredError,
  VirtFusionNotFoundError,
  VirtFusionRateLimitedError,
  VirtFusionRejectedError,
  VirtFusionUnavailableError,
} from './errors';
import {
  VirtFusionPackage,
  VirtFusionPowerAction,
  VirtFusionQueueItem,
  VirtFusionServer,
  VirtFusionTemplate,
  VirtFusionTrafficPeriod,
  VirtFusionUser,
} from './virtfusion.types';

/**
 * Whether an error leaves it unknown if VirtFusion acted (timeout, lost connection, 5xx, an answer
 * the panel cannot read). A caller must find out from VirtFusion before deciding anything.
 */
export function isAmbiguous(error: unknown): boolean {
  return error instanceof VirtFusionUnavailableError || error instanceof VirtFusionBadResponseError;
}

const GET_ATTEMPTS = 3;
/** While VirtFusion stays unreachable, it is said again at most this often. */
const UNREACHABLE_REPEAT_MS = 60_000;
const BACKOFF_MS = [250, 1000];

/**
 * VirtFusion's API (`VIRTFUSION_URL` + /api/v1, Bearer token). Every answer is validated; every
 * failure becomes a typed error an operator can act on. GETs are retried with backoff on network
 * errors, timeouts, 429 and 5xx only.
 */
@Injectable()
export class VirtFusionClient {
  private readonly logger = new Logger('VirtFusion');
  private lastReported: { reachable: boolean; at: number } | null = null;

  private axios: AxiosInstance | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() private readonly events?: EventEmitter2,
  ) {}

  /**
   * axios is required on first call, not at import: with @nestjs/axios it cost every CLI command
   * ~60 ms, and only plans and servers commands talk to VirtFusion.
   */
  private http(): AxiosInstance {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred on purpose (see above)
    this.axios ??= (require('axios') as { default: typeof import('axios').default }).default.create();
    return this.axios;
  }

  isConfigured(): boolean {
    return this.config.virtfusion !== undefined;
  }

  /**
   * GET /connect, VirtFusion's "test connection": answers when VirtFusion is up and the token is
   * good. One try within `timeoutMs` (health checks want an answer now, not after the retries).
   */
  async ping(timeoutMs: number): Promise<void> {
    await this.request('GET', '/connect', { once: true, emptyOk: true, timeoutMs });
  }

  /** GET /packages: every package, validated. */
  async listPackages(): Promise<VirtFusionPackage[]> {
    const body = await this.request('GET', '/packages');
    const data = (body as { data?: unknown } | null)?.data;
    if (!Array.isArray(data)) {
      throw new VirtFusionBadResponseError(
        'VirtFusion GET /packages did not answer {"data": [...]}: check VIRTFUSION_URL points at the VirtFusion panel',
      );
    }
    const seen = new Set<number>();
    return data.map((raw, i) => {
      const p = parsePackage(raw, i);
      if (seen.has(p.id))
        throw new VirtFusionBadResponseError(`VirtFusion GET /packages listed package ${p.id} twice`);
      seen.add(p.id);
      return p;
    });
  }

  /** GET /users/{extRelationId}/byExtRelation: the VirtFusion user linked to a panel user, or null (404). */
  async findUserByExtRelation(extRelationId: number): Promise<VirtFusionUser | null> {
    const path = `/users/${extRelationId}/byExtRelation`;
    const body = await this.request('GET', path, { notFoundIsNull: true });
    return body === null ? null : parseUser(dataOf(body, 'GET', path), 'GET', path);
  }

  /** POST /users: a VirtFusion user linked to the panel user by extRelationId. Never retried. */
  async createUser(input: { name: string; email: string; extRelationId: number }): Promise<VirtFusionUser> {
    const body = await this.request('POST', '/users', { body: { ...input, sendMail: false } });
    return parseUser(dataOf(body, 'POST', '/users'), 'POST', '/users');
  }

  /** GET /media/templates/fromServerPackageSpec/{id}: the OS templates a package can be built with. */
  async listTemplates(packageId: number): Promise<VirtFusionTemplate[]> {
    const path = `/media/templates/fromServerPackageSpec/${packageId}`;
    return parseTemplateGroups(dataOf(await this.request('GET', path), 'GET', path), path);
  }

  /** GET /servers/{id}/templates: the OS templates this server can be rebuilt with. */
  async serverTemplates(serverId: number): Promise<VirtFusionTemplate[]> {
    const path = `/servers/${serverId}/templates`;
    return parseTemplateGroups(dataOf(await this.request('GET', path), 'GET', path), path);
  }

  /** POST /servers. Never retried: a timeout may have created the server (the caller finds out). */
  async createServer(input: {
    packageId: number;
    userId: number;
    hypervisorId: number;
  }): Promise<VirtFusionServer> {
    const body = await this.request('POST', '/servers', { body: { ...input, ipv4: 1 } });
    return parseServer(dataOf(body, 'POST', '/servers'), 'POST', '/servers');
  }

  /** POST /servers/{id}/build: installs the OS. Never retried. */
  async buildServer(
    serverId: number,
    input: { operatingSystemId: number; hostname: string; sshKeys?: number[] },
  ): Promise<VirtFusionServer> {
    const path = `/servers/${serverId}/build`;
    const body = await this.request('POST', path, {
      body: {
        operatingSystemId: input.operatingSystemId,
        name: input.hostname,
        hostname: input.hostname,
        ...(input.sshKeys?.length ? { sshKeys: input.sshKeys } : {}),
        email: true,
      },
    });
    return parseServer(dataOf(body, 'POST', path), 'POST', path);
  }

  /**
   * GET /servers/{id}, or null when VirtFusion has no such server. With `remoteState`, VirtFusion
   * asks the hypervisor whether it runs (`power`). `once`: no retries (a page that must answer
   * while VirtFusion hangs, and asks again on its next poll).
   */
  async getServer(
    serverId: number,
    options: { remoteState?: boolean; once?: boolean } = {},
  ): Promise<VirtFusionServer | null> {
    const path = `/servers/${serverId}${options.remoteState ? '?remoteState=true' : ''}`;
    const body = await this.request('GET', path, { notFoundIsNull: true, once: options.once });
    return body === null ? null : parseServer(dataOf(body, 'GET', path), 'GET', path);
  }

  /** GET /servers/user/{userId}: every server a VirtFusion user owns. */
  async listUserServers(userId: number): Promise<VirtFusionServer[]> {
    const path = `/servers/user/${userId}`;
    const data = dataOf(await this.request('GET', path), 'GET', path);
    if (!Array.isArray(data))
      throw new VirtFusionBadResponseError(`VirtFusion GET ${path} did not list servers`);
    return data.map((raw) => parseServer(raw, 'GET', path));
  }

  suspendServer(serverId: number): Promise<void> {
    return this.request('POST', `/servers/${serverId}/suspend`).then(() => undefined);
  }

  unsuspendServer(serverId: number): Promise<void> {
    return this.request('POST', `/servers/${serverId}/unsuspend`).then(() => undefined);
  }

  /** POST /servers/{id}/power/{boot|shutdown|restart|poweroff}: queued; never retried. */
  async power(serverId: number, action: VirtFusionPowerAction): Promise<{ queueId: number | null }> {
    const path = `/servers/${serverId}/power/${action}`;
    return { queueId: queueIdOf(await this.request('POST', path)) };
  }

  /**
   * POST /servers/{id}/resetPassword (root, no email): the new password, which the caller shows
   * once and never keeps. Never retried, never logged.
   */
  async resetPassword(serverId: number): Promise<{ queueId: number | null; password: string }> {
    const path = `/servers/${serverId}/resetPassword`;
    const body = await this.request('POST', path, { body: { user: 'root', sendMail: false } });
    const data = dataOf(body, 'POST', path) as { expectedPassword?: unknown };
    if (typeof data.expectedPassword !== 'string' || !data.expectedPassword)
      throw new VirtFusionBadResponseError(`VirtFusion POST ${path} did not answer the new password`);
    return { queueId: queueIdOf(body), password: data.expectedPassword };
  }

  /** GET /queue/{id}: whether a queued job has finished, and how. */
  async queueItem(queueId: number): Promise<VirtFusionQueueItem | null> {
    const path = `/queue/${queueId}`;
    const body = await this.request('GET', path, { notFoundIsNull: true });
    if (body === null) return null;
    const q = dataOf(body, 'GET', path) as Record<string, unknown>;
    const exception = (q.errors as { exception?: { message?: unknown } } | undefined)?.exception;
    return {
      id: queueId,
      finished: typeof q.finished === 'string' && q.finished !== '',
      failed: q.failed === true,
      message: typeof exception?.message === 'string' ? exception.message.slice(0, 300) : null,
    };
  }

  /** GET /servers/{id}/traffic: traffic per billing month, newest first. */
  async traffic(serverId: number): Promise<VirtFusionTrafficPeriod[]> {
    const path = `/servers/${serverId}/traffic`;
    const monthly = (dataOf(await this.request('GET', path), 'GET', path) as { monthly?: unknown }).monthly;
    if (!Array.isArray(monthly))
      throw new VirtFusionBadResponseError(`VirtFusion GET ${path} did not list monthly traffic`);
    const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);
    return (monthly as Record<string, unknown>[]).map((m) => {
      if (typeof m?.start !== 'string' || typeof m.end !== 'string')
        throw new VirtFusionBadResponseError(`VirtFusion GET ${path}: a month has no start or end`);
      return {
        start: vfDate(m.start),
        end: vfDate(m.end),
        rxBytes: count(m.rx),
        txBytes: count(m.tx),
        limitGb: count(m.limit),
      };
    });
  }

  /** PUT /servers/{id}/modify/name. */
  async renameServer(serverId: number, name: string): Promise<void> {
    await this.request('PUT', `/servers/${serverId}/modify/name`, { body: { name }, emptyOk: true });
  }

  /**
   * A one-time login URL into VirtFusion's panel (valid 60 s): for one server (its console) with
   * `serverId`, else for the whole account. The API token never leaves the panel; only this URL does.
   */
  async loginUrl(extRelationId: number, serverId?: number): Promise<string> {
    const path =
      serverId === undefined
        ? `/users/${extRelationId}/authenticationTokens`
        : `/users/${extRelationId}/serverAuthenticationTokens/${serverId}`;
    const data = dataOf(await this.request('POST', path), 'POST', path) as {
      authentication?: { endpoint_complete?: unknown };
    };
    const endpoint = data.authentication?.endpoint_complete;
    if (typeof endpoint !== 'string' || !endpoint.startsWith('/'))
      throw new VirtFusionBadResponseError(`VirtFusion POST ${path} did not answer a login endpoint`);
    return `${this.requireConfig().apiBaseUrl.replace(/\/api\/v1$/, '')}${endpoint}`;
  }

  /** POST /ssh_keys: adds a public key to a VirtFusion user; its VirtFusion id. Never retried. */
  async createSshKey(input: { userId: number; name: string; publicKey: string }): Promise<number> {
    const data = dataOf(await this.request('POST', '/ssh_keys', { body: input }), 'POST', '/ssh_keys') as {
      id?: unknown;
    };
    if (!isId(data.id))
      throw new VirtFusionBadResponseError('VirtFusion POST /ssh_keys did not answer an id');
    return data.id;
  }

  /** GET /ssh_keys/user/{userId}: a VirtFusion user's keys (id and the key text). */
  async listSshKeys(userId: number): Promise<{ id: number; publicKey: string }[]> {
    const path = `/ssh_keys/user/${userId}`;
    const data = dataOf(await this.request('GET', path), 'GET', path);
    if (!Array.isArray(data))
      throw new VirtFusionBadResponseError(`VirtFusion GET ${path} did not list keys`);
    return (data as Record<string, unknown>[])
      .filter((k) => isId(k?.id) && typeof k.publicKey === 'string')
      .map((k) => ({ id: k.id as number, publicKey: k.publicKey as string }));
  }

  /** DELETE /ssh_keys/{id}; a key already gone counts as deleted. */
  async deleteSshKey(keyId: number): Promise<void> {
    await this.request('DELETE', `/ssh_keys/${keyId}`, { notFoundIsNull: true });
  }

  /** DELETE /servers/{id}?delay=0: removes the server now. A server already gone counts as deleted. */
  async deleteServer(serverId: number): Promise<void> {
    await this.request('DELETE', `/servers/${serverId}?delay=0`, { notFoundIsNull: true });
  }

  /**
   * One call. GETs are retried with backoff on network errors, timeouts, 429 and 5xx; anything else
   * is sent once, because a lost answer does not mean nothing happened.
   */
  private async request(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    options: {
      body?: unknown;
      notFoundIsNull?: boolean;
      emptyOk?: boolean;
      once?: boolean;
      timeoutMs?: number;
    } = {},
  ): Promise<unknown> {
    const vf = this.requireConfig();
    const attempts = method === 'GET' && !options.once ? GET_ATTEMPTS : 1;
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      try {
        const response = await this.http().request<unknown>({
          method,
          url: `${vf.apiBaseUrl}${path}`,
          data: options.body,
          headers: {
            Authorization: `Bearer ${vf.apiToken}`,
            Accept: 'application/json',
            ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }),
          },
          timeout: options.timeoutMs ?? vf.timeoutMs,
          responseType: 'json',
          // Statuses are judged below, not by axios.
          validateStatus: () => true,
          maxRedirects: 0,
        });
        if (response.status === 404 && options.notFoundIsNull) {
          this.reachability(true, null);
          this.called(method, path, 'ok', started);
          return null;
        }
        if (options.emptyOk && response.status >= 200 && response.status < 300) {
          this.reachability(true, null);
          this.called(method, path, 'ok', started);
          return response.data;
        }
        this.check(response, method, path);
        this.reachability(true, null);
        this.called(method, path, 'ok', started);
        return response.data;
      } catch (err) {
        const error = this.toError(err, method, path);
        this.called(method, path, outcomeOf(error), started);
        const retriable =
          error instanceof VirtFusionUnavailableError || error instanceof VirtFusionRateLimitedError;
        if (!retriable || attempt >= attempts) {
          // Only "no answer" counts as unreachable: a 4xx or an odd answer came from a VirtFusion that is up.
          if (error instanceof VirtFusionUnavailableError) this.reachability(false, error.message);
          else this.reachability(true, null);
          throw error;
        }
        this.logger.warn(`${error.message}; retrying (${attempt}/${attempts - 1})`);
        await new Promise((r) => setTimeout(r, BACKOFF_MS[attempt - 1]));
      }
    }
  }

  /** Tells listeners (the API's metrics) how one exchange went and how long it took. */
  private called(method: string, path: string, outcome: VirtFusionCallOutcome, started: number): void {
    // Ids in a path would make every server its own series: /servers/42/build -> /servers/:id/build.
    const template = path.replace(/\/[0-9]+(?=\/|$)/g, '/:id');
    this.events?.emit(
      VIRTFUSION_CALL,
      new VirtFusionCallEvent(method, template, outcome, (performance.now() - started) / 1000),
    );
  }

  /** Tells listeners (the API's admin alerts) when VirtFusion starts or stops answering. */
  private reachability(reachable: boolean, detail: string | null): void {
    const now = Date.now();
    const last = this.lastReported;
    if (last && last.reachable === reachable && (reachable || now - last.at < UNREACHABLE_REPEAT_MS)) return;
    this.lastReported = { reachable, at: now };
    this.events?.emit(VIRTFUSION_REACHABILITY, new VirtFusionReachabilityEvent(reachable, detail));
  }

  private check(response: AxiosResponse<unknown>, method: string, path: string): void {
    const status = response.status;
    const what = `VirtFusion ${method} ${path} answered ${status}`;
    if (status === 204) return;
    if (status >= 200 && status < 300) {
      if (typeof response.data !== 'object' || response.data === null) {
        throw new VirtFusionBadResponseError(`VirtFusion ${method} ${path} did not answer JSON`);
      }
      return;
    }
    if (status === 401 || status === 403) {
      throw new VirtFusionAuthError(`${what}: VIRTFUSION_API_TOKEN is wrong, expired, or lacks permission`);
    }
    if (status === 404)
      throw new VirtFusionNotFoundError(
        `${what}: check VIRTFUSION_URL (the panel's address, without /api/v1)`,
      );
    if (status === 422 || status === 400)
      throw new VirtFusionRejectedError(
        `${what}: the request was refused as invalid`,
        messageOf(response.data),
      );
    if (status === 429) throw new VirtFusionRateLimitedError(`${what}: rate limited`);
    if (status >= 500) throw new VirtFusionUnavailableError(`${what}: VirtFusion is failing`);
    throw new VirtFusionBadResponseError(`${what}, which the panel does not expect`);
  }

  private toError(err: unknown, method: string, path: string): VirtFusionError {
    if (err instanceof VirtFusionError) return err;
    const axiosError = err as AxiosError;
    if (axiosError.code === 'ECONNABORTED' || axiosError.code === 'ETIMEDOUT') {
      return new VirtFusionUnavailableError(
        `VirtFusion ${method} ${path} timed out after ${this.config.virtfusion?.timeoutMs} ms`,
      );
    }
    if (axiosError.code === 'ERR_BAD_RESPONSE' || err instanceof SyntaxError) {
      return new VirtFusionBadResponseError(`VirtFusion ${method} ${path} answered malformed JSON`);
    }
    return new VirtFusionUnavailableError(
      `VirtFusion ${method} ${path} is unreachable (${axiosError.code ?? axiosError.message})`,
    );
  }

  private requireConfig(): VirtFusionConfig {
    if (!this.config.virtfusion) throw new VirtFusionNotConfiguredError();
    return this.config.virtfusion;
  }
}

function outcomeOf(error: VirtFusionError): VirtFusionCallOutcome {
  if (error instanceof VirtFusionUnavailableError) return 'unavailable';
  if (error instanceof VirtFusionRateLimitedError) return 'rate_limited';
  if (error instanceof VirtFusionAuthError) return 'auth';
  if (error instanceof VirtFusionNotFoundError) return 'not_found';
  if (error instanceof VirtFusionRejectedError) return 'rejected';
  return 'bad_response';
}

function parsePackage(raw: unknown, index: number): VirtFusionPackage {
  const bad = (what: string) =>
    new VirtFusionBadResponseError(
      `VirtFusion GET /packages: package #${index + 1} ${what}; nothing was changed`,
    );
  if (typeof raw !== 'object' || raw === null) throw bad('is not an object');
  const p = raw as Record<string, unknown>;
  const int = (key: string, { min = 0, optional = false } = {}): number => {
    const v = p[key];
    if ((v === null || v === undefined) && optional) return 0;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min)
      throw bad(`has no valid ${key} (${JSON.stringify(v)})`);
    return v;
  };
  if (typeof p.name !== 'string' || !p.name.trim()) throw bad('has no name');
  if (typeof p.enabled !== 'boolean') throw bad(`has no valid enabled (${JSON.stringify(p.enabled)})`);
  if (p.description !== null && p.description !== undefined && typeof p.description !== 'string')
    throw bad('has a non-text description');
  return {
    id: int('id', { min: 1 }),
    name: p.name.trim(),
    description: typeof p.description === 'string' && p.description.trim() ? p.description.trim() : null,
    enabled: p.enabled,
    memoryMb: int('memory', { min: 1 }),
    storageGb: int('primaryStorage', { min: 1 }),
    trafficGb: int('traffic'),
    cpuCores: int('cpuCores', { min: 1 }),
    networkSpeedInMbps: int('primaryNetworkSpeedIn', { optional: true }),
    networkSpeedOutMbps: int('primaryNetworkSpeedOut', { optional: true }),
  };
}

function parseTemplateGroups(groups: unknown, path: string): VirtFusionTemplate[] {
  if (!Array.isArray(groups))
    throw new VirtFusionBadResponseError(`VirtFusion GET ${path} did not list groups`);
  const out: VirtFusionTemplate[] = [];
  for (const g of groups as Record<string, unknown>[]) {
    const templates = g?.templates;
    if (!Array.isArray(templates))
      throw new VirtFusionBadResponseError(`VirtFusion GET ${path}: a group has no templates list`);
    for (const t of templates as Record<string, unknown>[]) {
      if (!isId(t?.id) || typeof t.name !== 'string')
        throw new VirtFusionBadResponseError(`VirtFusion GET ${path}: a template has no id or name`);
      const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);
      out.push({
        id: t.id,
        name: t.name,
        version: text(t.version),
        variant: text(t.variant),
        group: text(g.name) ?? t.name,
        eol: t.eol === true,
        description: text(t.description),
      });
    }
  }
  return out;
}

function queueIdOf(body: unknown): number | null {
  const id = (body as { data?: { queueId?: unknown } } | null)?.data?.queueId;
  return isId(id) ? id : null;
}

/** VirtFusion's "2025-01-06 00:00:00" (UTC) as an ISO instant; anything else as given. */
function vfDate(text: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})/.exec(text);
  return m ? `${m[1]}T${m[2]}Z` : text;
}

function dataOf(body: unknown, method: string, path: string): unknown {
  const data = (body as { data?: unknown } | null)?.data;
  if (data === undefined || data === null)
    throw new VirtFusionBadResponseError(`VirtFusion ${method} ${path} did not answer {"data": …}`);
  return data;
}

const isId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;

function parseUser(raw: unknown, method: string, path: string): VirtFusionUser {
  const u = raw as Record<string, unknown> | null;
  if (!u || !isId(u.id) || typeof u.email !== 'string')
    throw new VirtFusionBadResponseError(
      `VirtFusion ${method} ${path} did not answer a user with an id and email`,
    );
  const ext = Number(u.extRelationId);
  return { id: u.id, email: u.email, extRelationId: Number.isSafeInteger(ext) && ext > 0 ? ext : null };
}

function parseServer(raw: unknown, method: string, path: string): VirtFusionServer {
  const s = raw as Record<string, unknown> | null;
  if (!s || !isId(s.id) || !isId(s.ownerId))
    throw new VirtFusionBadResponseError(
      `VirtFusion ${method} ${path} did not answer a server with an id and owner`,
    );
  const interfaces = (s.network as { interfaces?: unknown } | undefined)?.interfaces;
  const ipv4s: string[] = [];
  const ipv6s: string[] = [];
  if (Array.isArray(interfaces)) {
    for (const i of interfaces as { ipv4?: unknown; ipv6?: unknown; enabled?: unknown }[]) {
      if (i?.enabled === false) continue;
      if (Array.isArray(i?.ipv4))
        for (const a of i.ipv4 as { address?: unknown; enabled?: unknown }[])
          if (typeof a?.address === 'string' && a.enabled !== false) ipv4s.push(a.address);
      if (Array.isArray(i?.ipv6))
        for (const b of i.ipv6 as {
          subnet?: unknown;
          cidr?: unknown;
          enabled?: unknown;
          addresses?: unknown;
        }[]) {
          if (b?.enabled === false) continue;
          if (Array.isArray(b?.addresses) && b.addresses.length)
            ipv6s.push(...(b.addresses as unknown[]).filter((x): x is string => typeof x === 'string'));
          else if (typeof b?.subnet === 'string')
            ipv6s.push(typeof b.cidr === 'number' ? `${b.subnet}/${b.cidr}` : b.subnet);
        }
    }
  }
  const ipv4 = ipv4s[0] ?? null;
  const remote = s.remoteState as { running?: unknown; state?: unknown } | false | undefined;
  const power =
    remote && typeof remote === 'object'
      ? remote.running === true || remote.state === 'running'
        ? 'running'
        : 'stopped'
      : null;
  return {
    id: s.id,
    ownerId: s.ownerId,
    state: typeof s.state === 'string' ? s.state : null,
    commissionStatus: typeof s.commissionStatus === 'number' ? s.commissionStatus : null,
    suspended: s.suspended === true,
    buildFailed: s.buildFailed === true,
    built: typeof s.built === 'string' ? s.built : null,
    ipv4,
    ipv4Addresses: ipv4s,
    ipv6: ipv6s,
    power,
    tasksActive: (s.tasks as { active?: unknown } | undefined)?.active === true,
    rebuilding: s.rebuild === true,
  };
}

/** VirtFusion's own explanation of a refusal, short and on one line (it never holds secrets of ours). */
function messageOf(body: unknown): string | undefined {
  const b = body as { message?: unknown; errors?: unknown } | null;
  const parts: string[] = [];
  if (typeof b?.message === 'string') parts.push(b.message);
  if (b?.errors && typeof b.errors === 'object') {
    for (const v of Object.values(b.errors as Record<string, unknown>)) {
      if (Array.isArray(v)) parts.push(...v.filter((x): x is string => typeof x === 'string'));
      else if (typeof v === 'string') parts.push(v);
    }
  }
  const text = parts.join('; ').replace(/\s+/g, ' ').trim();
  return text ? text.slice(0, 300) : undefined;
}
