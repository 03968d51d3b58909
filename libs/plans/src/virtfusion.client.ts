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

/** A VirtFusion package as the panel uses it, validated. */
export interface VirtFusionPackage {
  id: number;
  name: string;
  description: string | null;
  enabled: boolean;
  memoryMb: number;
  storageGb: number;
  trafficGb: number;
  cpuCores: number;
  networkSpeedInMbps: number;
  networkSpeedOutMbps: number;
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
    const body = await this.get('/packages');
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

  private async get(path: string): Promise<unknown> {
    const vf = this.requireConfig();
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await firstValueFrom(
          this.http.get<unknown>(`${vf.apiBaseUrl}${path}`, {
            headers: { Authorization: `Bearer ${vf.apiToken}`, Accept: 'application/json' },
            timeout: vf.timeoutMs,
            responseType: 'json',
            // Statuses are judged below, not by axios.
            validateStatus: () => true,
            maxRedirects: 0,
          }),
        );
        this.check(response, 'GET', path);
        return response.data;
      } catch (err) {
        const error = this.toError(err, 'GET', path);
        const retriable =
          error instanceof VirtFusionUnavailableError || error instanceof VirtFusionRateLimitedError;
        if (!retriable || attempt >= GET_ATTEMPTS) throw error;
        this.logger.warn(`${error.message}; retrying (${attempt}/${GET_ATTEMPTS - 1})`);
        await new Promise((r) => setTimeout(r, BACKOFF_MS[attempt - 1]));
      }
    }
  }

  private check(response: AxiosResponse<unknown>, method: string, path: string): void {
    const status = response.status;
    const what = `VirtFusion ${method} ${path} answered ${status}`;
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
    if (status === 422) throw new VirtFusionRejectedError(`${what}: the request was refused as invalid`);
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
