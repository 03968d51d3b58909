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
 * A failure for one kind of call: as FakeFailure, plus 'timeout-after' (VirtFusion does the work,
 * then the answer never arrives) and '500-after' (does the work, then answers 500), and '422'.
 */
export type CallFailure =
  | Exclude<FakeFailure, 'none' | 'wrong-shape'>
  | '422'
  | 'timeout-after'
  | '500-after'
  /** Answers normally: queue it first to fail only a later call. */
  | 'pass';

/** The calls failure injection can target. */
export type FakeCall =
  | 'GET /users/byExtRelation'
  | 'POST /users'
  | 'GET /templates'
  | 'POST /servers'
  | 'POST /servers/build'
  | 'GET /servers'
  | 'GET /servers/user'
  | 'POST /servers/suspend'
  | 'POST /servers/unsuspend'
  | 'DELETE /servers';

export interface WireUser {
  id: number;
  extRelationId: number | null;
  name: string;
  email: string;
  admin: boolean;
  suspended: boolean;
  created: string;
}

export interface WireServer {
  id: number;
  ownerId: number;
  hypervisorId: number;
  packageId: number;
  name: string;
  hostname: string | null;
  commissionStatus: number;
  uuid: string;
  state: string;
  suspended: boolean;
  buildFailed: boolean;
  built: string | null;
  created: string;
  osTemplateId: number | null;
  network: {
    interfaces: {
      order: number;
      enabled: boolean;
      name: string;
      ipv4: { order: number; enabled: boolean; address: string }[];
    }[];
  };
}

/** Template groups in the spec's shape (GET /media/templates/fromServerPackageSpec/{id}). */
export function templateGroups(ids: number[] = [8, 44]) {
  return [
    {
      id: 1,
      name: 'Debian',
      description: 'Debian GNU/Linux',
      icon: 'debian_logo.png',
      templates: ids.map((id, i) => ({
        id,
        name: 'Debian',
        version: i === 0 ? '11 (Bullseye)' : '12 (Bookworm)',
        variant: 'Minimal',
        arch: 1,
        description: 'Minimal installation',
        icon: 'debian_logo.png',
        eol: false,
        eol_date: '2024-03-12 00:00:00',
        eol_warning: false,
        deploy_type: 1,
        vnc: false,
        type: 'linux',
      })),
    },
  ];
}

/**
 * VirtFusion's API at the network boundary: Bearer auth, `/api/v1/packages` in the spec's shape,
 * and failures on demand. `requests` counts what reached it.
 */
export class FakeVirtFusion {
  packages: WirePackage[] = [];
  /** Fail this many requests from now on (Infinity: until told otherwise). */
  private failure: { kind: FakeFailure; remaining: number } = { kind: 'none', remaining: 0 };
  requests = 0;
  /** Every answer takes this long (a slow VirtFusion). */
  latencyMs = 0;
  /** Every call that reached it: method, path (with query) and JSON body. */
  calls: { method: string; path: string; body: unknown }[] = [];
  users: WireUser[] = [];
  servers: WireServer[] = [];
  /** OS templates per package id; a package not listed offers the default two (8 and 44). */
  templates = new Map<number, number[]>();
  private callFailures = new Map<FakeCall, CallFailure[]>();
  private nextUserId = 100;
  private nextServerId = 500;
  private server?: Server;

  constructor(readonly token = `vf-test-${Math.random().toString(36).slice(2)}`) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  failWith(kind: FakeFailure, times = Number.POSITIVE_INFINITY): void {
    this.failure = { kind, remaining: times };
  }

  /** The next `times` calls of this kind fail this way (then it answers normally again). */
  failCall(call: FakeCall, kind: CallFailure, times = 1): void {
    this.callFailures.set(call, [
      ...(this.callFailures.get(call) ?? []),
      ...Array<CallFailure>(times).fill(kind),
    ]);
  }

  /** Calls of one kind that reached it. */
  callsTo(call: FakeCall): { method: string; path: string; body: unknown }[] {
    return this.calls.filter((c) => classify(c.method, c.path) === call);
  }

  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        if (this.latencyMs > 0) setTimeout(() => this.handle(req, res, raw), this.latencyMs);
        else this.handle(req, res, raw);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    return this;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    this.requests++;
    let body: unknown = undefined;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    this.calls.push({ method: req.method!, path: req.url!, body });
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
    const call = classify(req.method!, req.url!);
    if (!call) return json(404, { message: 'Not found' });
    const failure = this.callFailures.get(call)?.shift();
    if (failure && failure !== 'pass' && !failure.endsWith('-after')) {
      if (failure === 'timeout') return;
      if (failure === 'malformed')
        return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"data": {');
      if (failure === '422')
        return json(422, { message: 'The given data was invalid.', errors: { fake: ['fake failure 422'] } });
      return json(Number(failure), { message: `fake failure ${failure}` });
    }
    const [status, answer] = this.act(
      call,
      req.url!.replace(/^\/api\/v1/, ''),
      body as Record<string, unknown> | undefined,
    );
    if (failure === 'timeout-after') return; // it happened; the answer is lost
    if (failure === '500-after') return json(500, { message: 'Server Error' });
    if (status === 204) return void res.writeHead(204).end();
    json(status, answer);
  }

  /** Does what VirtFusion would do for the call, and says what it would answer. */
  private act(call: FakeCall, path: string, body: Record<string, unknown> | undefined): [number, unknown] {
    const id = Number(path.split('/')[2]?.split('?')[0]);
    const server = this.servers.find((s) => s.id === id);
    const missing: [number, unknown] = [404, { message: 'Not found' }];
    switch (call) {
      case 'GET /users/byExtRelation': {
        const user = this.users.find((u) => u.extRelationId === id);
        return user ? [200, { data: user }] : missing;
      }
      case 'POST /users': {
        const email = String(body?.email ?? '');
        if (!email || !body?.name)
          return [
            422,
            { message: 'The given data was invalid.', errors: { name: ['The name field is required.'] } },
          ];
        if (this.users.some((u) => u.email.toLowerCase() === email.toLowerCase()))
          return [
            422,
            {
              message: 'The given data was invalid.',
              errors: { email: ['The email has already been taken.'] },
            },
          ];
        const user: WireUser = {
          id: this.nextUserId++,
          extRelationId: typeof body.extRelationId === 'number' ? body.extRelationId : null,
          name: String(body.name),
          email,
          admin: false,
          suspended: false,
          created: new Date().toISOString(),
        };
        this.users.push(user);
        return [201, { data: { ...user, password: 'not-a-real-password' } }];
      }
      case 'GET /templates': {
        const pkg = Number(path.split('/')[4]);
        if (!this.packages.some((p) => p.id === pkg)) return missing;
        return [200, { data: templateGroups(this.templates.get(pkg)) }];
      }
      case 'POST /servers': {
        const pkg = this.packages.find((p) => p.id === body?.packageId);
        const owner = this.users.find((u) => u.id === body?.userId);
        if (!pkg || !owner || typeof body?.hypervisorId !== 'number')
          return [
            422,
            {
              message: 'The given data was invalid.',
              errors: { packageId: ['invalid package, user or hypervisor'] },
            },
          ];
        const created: WireServer = {
          id: this.nextServerId++,
          ownerId: owner.id,
          hypervisorId: body.hypervisorId,
          packageId: pkg.id,
          name: '',
          hostname: null,
          commissionStatus: 0,
          uuid: `00000000-0000-4000-8000-${String(this.nextServerId).padStart(12, '0')}`,
          state: 'allocated',
          suspended: false,
          buildFailed: false,
          built: null,
          created: new Date().toISOString(),
          osTemplateId: null,
          network: { interfaces: [] },
        };
        this.servers.push(created);
        return [201, { data: created }];
      }
      case 'POST /servers/build': {
        if (!server) return missing;
        const os = body?.operatingSystemId;
        const offered = this.templates.get(server.packageId) ?? [8, 44];
        if (typeof os !== 'number' || !offered.includes(os))
          return [
            422,
            { message: 'The given data was invalid.', errors: { operatingSystemId: ['invalid template'] } },
          ];
        Object.assign(server, {
          name: String(body?.name ?? ''),
          hostname: typeof body?.hostname === 'string' ? body.hostname : null,
          commissionStatus: 1,
          state: 'queued',
          osTemplateId: os,
          network: {
            interfaces: [
              {
                order: 1,
                enabled: true,
                name: 'eth0',
                ipv4: [{ order: 1, enabled: true, address: `203.0.113.${server.id % 250}` }],
              },
            ],
          },
        });
        return [200, { data: server }];
      }
      case 'GET /servers':
        return server ? [200, { data: server }] : missing;
      case 'GET /servers/user':
        return [200, { data: this.servers.filter((s) => s.ownerId === Number(path.split('/')[3])) }];
      case 'POST /servers/suspend':
        if (!server) return missing;
        server.suspended = true;
        return [204, null];
      case 'POST /servers/unsuspend':
        if (!server) return missing;
        server.suspended = false;
        return [204, null];
      case 'DELETE /servers':
        if (!server) return missing;
        this.servers = this.servers.filter((s) => s !== server);
        return [204, null];
    }
  }
}

/** Which kind of call a request is (undefined: not one the fake knows). */
function classify(method: string, url: string): FakeCall | undefined {
  const path = url.replace(/^\/api\/v1/, '').split('?')[0]!;
  const routes: [string, RegExp, FakeCall][] = [
    ['GET', /^\/users\/\d+\/byExtRelation$/, 'GET /users/byExtRelation'],
    ['POST', /^\/users$/, 'POST /users'],
    ['GET', /^\/media\/templates\/fromServerPackageSpec\/\d+$/, 'GET /templates'],
    ['POST', /^\/servers$/, 'POST /servers'],
    ['POST', /^\/servers\/\d+\/build$/, 'POST /servers/build'],
    ['GET', /^\/servers\/\d+$/, 'GET /servers'],
    ['GET', /^\/servers\/user\/\d+$/, 'GET /servers/user'],
    ['POST', /^\/servers\/\d+\/suspend$/, 'POST /servers/suspend'],
    ['POST', /^\/servers\/\d+\/unsuspend$/, 'POST /servers/unsuspend'],
    ['DELETE', /^\/servers\/\d+$/, 'DELETE /servers'],
  ];
  return routes.find(([m, re]) => m === method && re.test(path))?.[2];
}
