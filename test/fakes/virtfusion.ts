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
  | 'DELETE /servers'
  | 'POST /servers/power'
  | 'POST /servers/resetPassword'
  | 'GET /servers/templates'
  | 'GET /servers/traffic'
  | 'PUT /servers/modify/name'
  | 'POST /users/serverAuthenticationTokens'
  | 'POST /users/authenticationTokens'
  | 'POST /ssh_keys'
  | 'GET /ssh_keys/user'
  | 'DELETE /ssh_keys'
  | 'GET /queue';

/** The four power calls (`POST /servers/{id}/power/{action}`). */
export type PowerCall = 'boot' | 'shutdown' | 'restart' | 'poweroff';

/** An SSH key as VirtFusion keeps it (`/ssh_keys`). */
export interface WireSshKey {
  id: number;
  userId: number;
  name: string;
  publicKey: string;
  type: 'OpenSSH';
  enabled: boolean;
  created: string;
}

/** A queued job (power, rebuild, password reset): done when the fake's queue runs it. */
export interface WireQueueItem {
  id: number;
  serverId: number;
  action: string;
  started: string;
  finished: string | null;
  failed: boolean;
  message: string | null;
  /** What the job does to the server when it finishes well. */
  apply: () => void;
}

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
  /** Rebuilding (a rebuild's job has not finished yet). */
  rebuild?: boolean;
  network: {
    interfaces: {
      order: number;
      enabled: boolean;
      name: string;
      ipv4: { order: number; enabled: boolean; address: string }[];
      ipv6?: { order: number; enabled: boolean; subnet: string; cidr: number; addresses: string[] }[];
    }[];
  };
}

/** What the fake keeps about a server beyond its wire shape: power, traffic, keys, password. */
export interface FakeServerState {
  power: 'running' | 'stopped';
  rxBytes: number;
  txBytes: number;
  /** VirtFusion SSH key ids the last build installed. */
  sshKeys: number[];
  /** The root password the last reset set. */
  rootPassword: string | null;
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
  sshKeys: WireSshKey[] = [];
  queue: WireQueueItem[] = [];
  /** While true, queued jobs wait for releaseQueue() (a slow hypervisor); else they finish at once. */
  holdQueue = false;
  /** Answer power and password resets without a queueId (as some VirtFusion versions do). */
  omitQueueIds = false;
  /** Power state, traffic and the rest, per server id (what the wire shape does not hold). */
  state = new Map<number, FakeServerState>();
  private callFailures = new Map<FakeCall, CallFailure[]>();
  private nextUserId = 100;
  private nextServerId = 500;
  private nextQueueId = 170;
  private nextKeyId = 1;
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

  /** The fake's own state of a server (created on first use: running, no traffic). */
  stateOf(serverId: number): FakeServerState {
    let st = this.state.get(serverId);
    if (!st) {
      st = { power: 'running', rxBytes: 0, txBytes: 0, sshKeys: [], rootPassword: null };
      this.state.set(serverId, st);
    }
    return st;
  }

  /** Finishes every queued job (`failed`: each fails with `message`, changing nothing). */
  releaseQueue(outcome: { failed?: boolean; message?: string } = {}): number {
    const pending = this.queue.filter((q) => q.finished === null);
    for (const item of pending) this.finish(item, outcome);
    return pending.length;
  }

  private finish(item: WireQueueItem, outcome: { failed?: boolean; message?: string } = {}): void {
    item.finished = new Date().toISOString();
    if (outcome.failed) {
      item.failed = true;
      item.message = outcome.message ?? 'the hypervisor refused the job';
      const server = this.servers.find((s) => s.id === item.serverId);
      if (server && item.action === 'build_server')
        Object.assign(server, { buildFailed: true, rebuild: false });
      return;
    }
    item.apply();
  }

  private enqueue(serverId: number, action: string, apply: () => void): WireQueueItem {
    const item: WireQueueItem = {
      id: this.nextQueueId++,
      serverId,
      action,
      started: new Date().toISOString(),
      finished: null,
      failed: false,
      message: null,
      apply,
    };
    this.queue.push(item);
    return item;
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
    if (req.method === 'GET' && req.url === '/api/v1/connect') return json(200, []);
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
    // The answer shows the job queued; without a held queue the job then finishes at once.
    const text = status === 204 ? '' : JSON.stringify(answer);
    if (!this.holdQueue) this.releaseQueue();
    if (failure === 'timeout-after') return; // it happened; the answer is lost
    if (failure === '500-after') return json(500, { message: 'Server Error' });
    if (status === 204) return void res.writeHead(204).end();
    if (status === 201 && call === 'PUT /servers/modify/name') return void res.writeHead(201).end();
    res.writeHead(status, { 'content-type': 'application/json' }).end(text);
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
        const keys = Array.isArray(body?.sshKeys) ? (body.sshKeys as unknown[]) : [];
        const owned = this.sshKeys.filter((k) => k.userId === server.ownerId).map((k) => k.id);
        if (keys.some((k) => typeof k !== 'number' || !owned.includes(k)))
          return [422, { message: 'The given data was invalid.', errors: { sshKeys: ['invalid ssh key'] } }];
        const rebuilding = server.built !== null || server.state === 'complete';
        Object.assign(server, {
          name: String(body?.name ?? ''),
          hostname: typeof body?.hostname === 'string' ? body.hostname : null,
          commissionStatus: 1,
          state: 'queued',
          buildFailed: false,
          rebuild: rebuilding,
          osTemplateId: os,
          network: {
            interfaces: [
              {
                order: 1,
                enabled: true,
                name: 'eth0',
                ipv4: [{ order: 1, enabled: true, address: `203.0.113.${server.id % 250}` }],
                ipv6: [
                  {
                    order: 1,
                    enabled: true,
                    subnet: `2001:db8:${server.id.toString(16)}::`,
                    cidr: 64,
                    addresses: [],
                  },
                ],
              },
            ],
          },
        });
        this.stateOf(server.id).sshKeys = keys as number[];
        const answer = structuredClone(server);
        this.enqueue(server.id, 'build_server', () => {
          Object.assign(server, {
            state: 'complete',
            commissionStatus: 3,
            rebuild: false,
            built: new Date().toISOString(),
          });
          this.stateOf(server.id).power = 'running';
        });
        return [200, { data: answer }];
      }
      case 'GET /servers': {
        if (!server) return missing;
        const pending = this.queue.filter((q) => q.serverId === server.id && q.finished === null);
        const remote = /[?&]remoteState=true\b/.test(path);
        const power = this.stateOf(server.id).power;
        return [
          200,
          {
            data: {
              ...server,
              tasks: { active: pending.length > 0, actions: { pending: pending.map((q) => q.action) } },
              remoteState: remote
                ? { state: power === 'running' ? 'running' : 'shutoff', running: power === 'running' }
                : false,
            },
          },
        ];
      }
      case 'POST /servers/power': {
        if (!server) return missing;
        const op = path.split('/')[4]?.split('?')[0] as PowerCall;
        if (server.suspended) return [422, { message: 'The server is suspended.' }];
        const st = this.stateOf(server.id);
        const item = this.enqueue(server.id, `power_${op}`, () => {
          st.power = op === 'shutdown' || op === 'poweroff' ? 'stopped' : 'running';
        });
        return [200, { data: this.omitQueueIds ? {} : { queueId: item.id } }];
      }
      case 'POST /servers/resetPassword': {
        if (!server) return missing;
        if (body?.user !== 'root' && body?.user !== 'Administrator')
          return [422, { message: 'The given data was invalid.', errors: { user: ['invalid user'] } }];
        const password = Array.from({ length: 20 }, () =>
          'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789'.charAt(Math.floor(Math.random() * 56)),
        ).join('');
        const item = this.enqueue(server.id, 'reset_password', () => {
          this.stateOf(server.id).rootPassword = password;
        });
        return [
          200,
          { data: { ...(this.omitQueueIds ? {} : { queueId: item.id }), expectedPassword: password } },
        ];
      }
      case 'GET /servers/templates':
        if (!server) return missing;
        return [200, { data: templateGroups(this.templates.get(server.packageId)) }];
      case 'GET /servers/traffic': {
        if (!server) return missing;
        const st = this.stateOf(server.id);
        const pkg = this.packages.find((p) => p.id === server.packageId);
        const now = new Date();
        const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
        const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 0, 23, 59, 59));
        const day = (d: Date) => d.toISOString().replace('T', ' ').slice(0, 19);
        return [
          200,
          {
            data: {
              monthly: [
                {
                  month: 1,
                  start: day(start),
                  end: day(end),
                  rx: st.rxBytes,
                  tx: st.txBytes,
                  total: st.rxBytes + st.txBytes,
                  limit: pkg?.traffic ?? 0,
                  blocks: [],
                },
              ],
            },
          },
        ];
      }
      case 'PUT /servers/modify/name': {
        if (!server) return missing;
        if (typeof body?.name !== 'string' || !body.name)
          return [
            422,
            { message: 'The given data was invalid.', errors: { name: ['The name field is required.'] } },
          ];
        server.name = body.name;
        return [201, null];
      }
      case 'POST /users/serverAuthenticationTokens':
      case 'POST /users/authenticationTokens': {
        const ext = Number(path.split('/')[2]);
        const user = this.users.find((u) => u.extRelationId === ext);
        if (!user) return missing;
        if (call === 'POST /users/serverAuthenticationTokens') {
          const vfServerId = Number(path.split('/')[4]?.split('?')[0]);
          const target = this.servers.find((s) => s.id === vfServerId);
          if (!target || target.ownerId !== user.id) return missing;
        }
        const t1 = `tok1-${Math.random().toString(36).slice(2)}`;
        const t2 = `tok2-${Math.random().toString(36).slice(2)}`;
        return [
          200,
          {
            data: {
              authentication: {
                tokens: { '1': t1, '2': t2 },
                endpoint: '/token_authenticate',
                endpoint_complete: `/token_authenticate/?1=${t1}&2=${t2}`,
                expiry: { ttl: 60, expires: new Date(Date.now() + 60_000).toISOString() },
              },
            },
          },
        ];
      }
      case 'POST /ssh_keys': {
        const owner = this.users.find((u) => u.id === body?.userId);
        if (!owner || typeof body?.name !== 'string' || typeof body?.publicKey !== 'string')
          return [422, { message: 'The given data was invalid.', errors: { userId: ['invalid user'] } }];
        const key: WireSshKey = {
          id: this.nextKeyId++,
          userId: owner.id,
          name: body.name,
          publicKey: body.publicKey,
          type: 'OpenSSH',
          enabled: true,
          created: new Date().toISOString(),
        };
        this.sshKeys.push(key);
        return [201, { data: { id: key.id, name: key.name, type: key.type, createdAt: key.created } }];
      }
      case 'GET /ssh_keys/user': {
        const owner = Number(path.split('/')[3]);
        return [
          200,
          { data: this.sshKeys.filter((k) => k.userId === owner).map(({ userId: _, ...k }) => k) },
        ];
      }
      case 'DELETE /ssh_keys': {
        const key = this.sshKeys.find((k) => k.id === id);
        if (!key) return missing;
        this.sshKeys = this.sshKeys.filter((k) => k !== key);
        return [204, null];
      }
      case 'GET /queue': {
        const item = this.queue.find((q) => q.id === id);
        if (!item) return missing;
        return [
          200,
          {
            data: {
              id: item.id,
              serverId: item.serverId,
              action: item.action,
              started: item.started,
              updated: item.finished ?? item.started,
              finished: item.finished,
              failed: item.failed,
              progress: item.finished ? 100 : 10,
              errors: { exception: { message: item.message } },
            },
          },
        ];
      }
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
    ['POST', /^\/servers\/\d+\/power\/(boot|shutdown|restart|poweroff)$/, 'POST /servers/power'],
    ['POST', /^\/servers\/\d+\/resetPassword$/, 'POST /servers/resetPassword'],
    ['GET', /^\/servers\/\d+\/templates$/, 'GET /servers/templates'],
    ['GET', /^\/servers\/\d+\/traffic$/, 'GET /servers/traffic'],
    ['PUT', /^\/servers\/\d+\/modify\/name$/, 'PUT /servers/modify/name'],
    ['POST', /^\/users\/\d+\/serverAuthenticationTokens\/\d+$/, 'POST /users/serverAuthenticationTokens'],
    ['POST', /^\/users\/\d+\/authenticationTokens$/, 'POST /users/authenticationTokens'],
    ['POST', /^\/ssh_keys$/, 'POST /ssh_keys'],
    ['GET', /^\/ssh_keys\/user\/\d+$/, 'GET /ssh_keys/user'],
    ['DELETE', /^\/ssh_keys\/\d+$/, 'DELETE /ssh_keys'],
    ['GET', /^\/queue\/\d+$/, 'GET /queue'],
  ];
  return routes.find(([m, re]) => m === method && re.test(path))?.[2];
}
