import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/** A package in VirtFusion's wire format (../shared/reference/virtfusion-openapi.yaml, GET /packages). */
export interface WirePackage {
  id: number;
  name: string;
  description: string | null;
  enabled: boolean;
  memory: number;
  primaryStorage: number;
  traffic: number;
  cpuCores: number;
  primaryNetworkSpeedIn: number;
  primaryNetworkSpeedOut: number;
  primaryDiskType: string;
  backupPlanId: number;
  primaryStorageReadBytesSec: null;
  primaryStorageWriteBytesSec: null;
  primaryStorageReadIopsSec: null;
  primaryStorageWriteIopsSec: null;
  primaryStorageProfile: number;
  primaryNetworkProfile: number;
  created: string;
}

/** A package as the spec's example shows one; override what the test is about. */
export function aPackage(id: number, overrides: Partial<WirePackage> = {}): WirePackage {
  return {
    id,
    name: `Plan ${id}`,
    description: null,
    enabled: true,
    memory: 1024 * id,
    primaryStorage: 10 * id,
    traffic: 200 * id,
    cpuCores: id,
    primaryNetworkSpeedIn: 0,
    primaryNetworkSpeedOut: 0,
    primaryDiskType: 'inherit',
    backupPlanId: 0,
    primaryStorageReadBytesSec: null,
    primaryStorageWriteBytesSec: null,
    primaryStorageReadIopsSec: null,
    primaryStorageWriteIopsSec: null,
    primaryStorageProfile: 1,
    primaryNetworkProfile: 0,
    created: '2024-03-12T22:41:31.000000Z',
    ...overrides,
  };
}

export type FakeFailure =
  'none' | '401' | '403' | '404' | '500' | '503' | '429' | 'timeout' | 'malformed' | 'wrong-shape';

/**
 * VirtFusion's API at the network boundary: Bearer auth, `/api/v1/packages` in the spec's shape,
 * and failures on demand. `requests` counts what reached it.
 */
export class FakeVirtFusion {
  packages: WirePackage[] = [];
  /** Fail this many requests from now on (Infinity: until told otherwise). */
  private failure: { kind: FakeFailure; remaining: number } = { kind: 'none', remaining: 0 };
  requests = 0;
  private server?: Server;

  constructor(readonly token = `vf-test-${Math.random().toString(36).slice(2)}`) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  failWith(kind: FakeFailure, times = Number.POSITIVE_INFINITY): void {
    this.failure = { kind, remaining: times };
  }

  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    return this;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.requests++;
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (this.failure.remaining > 0 && this.failure.kind !== 'none') {
      this.failure.remaining--;
      switch (this.failure.kind) {
        case 'timeout':
          return; // never answers; the client's timeout fires
        case 'malformed':
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"data": [ {"id": 1,');
          return;
        case 'wrong-shape':
          return json(200, { packages: this.packages });
        default:
          return json(Number(this.failure.kind), { message: `fake failure ${this.failure.kind}` });
      }
    }
    if (req.headers.authorization !== `Bearer ${this.token}`)
      return json(401, { message: 'Unauthenticated.' });
    if (req.method === 'GET' && req.url === '/api/v1/packages') return json(200, { data: this.packages });
    const one = req.url?.match(/^\/api\/v1\/packages\/(\d+)$/);
    if (req.method === 'GET' && one) {
      const pkg = this.packages.find((p) => p.id === Number(one[1]));
      return pkg ? json(200, { data: pkg }) : json(404, { message: 'Not found' });
    }
    json(404, { message: 'Not found' });
  }
}
