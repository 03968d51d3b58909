import { HttpService } from '@nestjs/axios';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AxiosError, AxiosResponse } from 'axios';
import { firstValueFrom } from 'rxjs';
import { APP_CONFIG, AppConfig, VirtFusionConfig } from '@ozvps/core';
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
import { VirtFusionPackage, VirtFusionServer, VirtFusionTemplate, VirtFusionUser } from './virtfusion.types';

/**
 * Whether an error leaves it unknown if VirtFusion acted (timeout, lost connection, 5xx, an answer
 * the panel cannot read). A caller must find out from VirtFusion before deciding anything.
 */
export function isAmbiguous(error: unknown): boolean {
  return error instanceof VirtFusionUnavailableError || error instanceof VirtFusionBadResponseError;
}

const GET_ATTEMPTS = 3;
const BACKOFF_MS = [250, 1000];

/**
 * VirtFusion's API (`VIRTFUSION_URL` + /api/v1, Bearer token). Every answer is validated; every
 * failure becomes a typed error an operator can act on. GETs are retried with backoff on network
 * errors, timeouts, 429 and 5xx only.
 */
@Injectable()
export class VirtFusionClient {
  private readonly logger = new Logger('VirtFusion');

  constructor(
    private readonly http: HttpService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  isConfigured(): boolean {
    return this.config.virtfusion !== undefined;
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
    const groups = dataOf(await this.request('GET', path), 'GET', path);
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
        });
      }
    }
    return out;
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
    input: { operatingSystemId: number; hostname: string },
  ): Promise<VirtFusionServer> {
    const path = `/servers/${serverId}/build`;
    const body = await this.request('POST', path, {
      body: {
        operatingSystemId: input.operatingSystemId,
        name: input.hostname,
        hostname: input.hostname,
        email: true,
      },
    });
    return parseServer(dataOf(body, 'POST', path), 'POST', path);
  }

  /** GET /servers/{id}, or null when VirtFusion has no such server. */
  async getServer(serverId: number): Promise<VirtFusionServer | null> {
    const path = `/servers/${serverId}`;
    const body = await this.request('GET', path, { notFoundIsNull: true });
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

  /** DELETE /servers/{id}?delay=0: removes the server now. A server already gone counts as deleted. */
  async deleteServer(serverId: number): Promise<void> {
    await this.request('DELETE', `/servers/${serverId}?delay=0`, { notFoundIsNull: true });
  }

  /**
   * One call. GETs are retried with backoff on network errors, timeouts, 429 and 5xx; anything else
   * is sent once, because a lost answer does not mean nothing happened.
   */
  private async request(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    options: { body?: unknown; notFoundIsNull?: boolean } = {},
  ): Promise<unknown> {
    const vf = this.requireConfig();
    const attempts = method === 'GET' ? GET_ATTEMPTS : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await firstValueFrom(
          this.http.request<unknown>({
            method,
            url: `${vf.apiBaseUrl}${path}`,
            data: options.body,
            headers: {
              Authorization: `Bearer ${vf.apiToken}`,
              Accept: 'application/json',
              ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }),
            },
            timeout: vf.timeoutMs,
            responseType: 'json',
            // Statuses are judged below, not by axios.
            validateStatus: () => true,
            maxRedirects: 0,
          }),
        );
        if (response.status === 404 && options.notFoundIsNull) return null;
        this.check(response, method, path);
        return response.data;
      } catch (err) {
        const error = this.toError(err, method, path);
        const retriable =
          error instanceof VirtFusionUnavailableError || error instanceof VirtFusionRateLimitedError;
        if (!retriable || attempt >= attempts) throw error;
        this.logger.warn(`${error.message}; retrying (${attempt}/${attempts - 1})`);
        await new Promise((r) => setTimeout(r, BACKOFF_MS[attempt - 1]));
      }
    }
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
  let ipv4: string | null = null;
  if (Array.isArray(interfaces)) {
    for (const i of interfaces as { ipv4?: unknown }[]) {
      const found = Array.isArray(i?.ipv4)
        ? (i.ipv4 as { address?: unknown; enabled?: unknown }[]).find(
            (a) => typeof a?.address === 'string' && a.enabled !== false,
          )
        : undefined;
      if (found) {
        ipv4 = found.address as string;
        break;
      }
    }
  }
  return {
    id: s.id,
    ownerId: s.ownerId,
    state: typeof s.state === 'string' ? s.state : null,
    commissionStatus: typeof s.commissionStatus === 'number' ? s.commissionStatus : null,
    suspended: s.suspended === true,
    buildFailed: s.buildFailed === true,
    built: typeof s.built === 'string' ? s.built : null,
    ipv4,
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
