import { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { RenewalsService, ServerActionsService } from '@ozvps/servers';
import { aPackage, FakeVirtFusion } from './fakes/virtfusion';
import { aCustomerBrowser, anAdminBrowser } from './helpers/accounts';
import { createTestDatabase, openDataSource, TestDatabase } from './helpers/database';
import { Browser } from './helpers/http';
import { bootLibs, TestClock } from './helpers/panel';
import { ozvpsctl, RunningApi, SUDO_USER, startPanel } from './helpers/processes';
import { anSshKey } from './helpers/ssh-keys';

const PRICE = 1200;
const HOUR = 3_600_000;

interface ActionBody {
  action: { id: number; kind: string; status: string; message: string | null };
}
interface StateBody {
  power: string;
  reachable: boolean;
  action: ActionBody['action'] | null;
}

describe('server self-service through the built API and ozvpsctl (fake VirtFusion)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let vf: FakeVirtFusion;
  let api: RunningApi;
  let origin: string;
  let admin: Browser;
  let owner: { browser: Browser; id: number };
  let other: { browser: Browser; id: number };
  let planId: number;
  let n = 0;

  const vfEnv = () => ({
    VIRTFUSION_URL: vf.url,
    VIRTFUSION_API_TOKEN: vf.token,
    VIRTFUSION_HYPERVISOR_GROUP_ID: '3',
    VIRTFUSION_TIMEOUT_MS: '1000',
  });
  const cli = (...args: string[]) => ozvpsctl(db.url, args, vfEnv());

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDataSource(db.url);
    vf = await new FakeVirtFusion().start();
    vf.packages = [aPackage(1, { name: 'Starter', traffic: 500 })];
    ({ api, origin } = await startPanel(db.url, vfEnv()));
    for (let i = 0; i < 100 && !(await ds.query(`SELECT 1 FROM plans`)).length; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect((await cli('plans', 'set-price', '--package', '1', String(PRICE))).code).toBe(0);
    planId = Number((await ds.query(`SELECT id FROM plans WHERE virtfusion_package_id = 1`))[0].id);
    owner = await aCustomerBrowser(api, origin, 'owner@example.test');
    other = await aCustomerBrowser(api, origin, 'other@example.test');
    for (const c of [owner, other])
      expect((await cli('wallet', 'add', String(c.id), String(80 * PRICE), '--reason', 'opening')).code).toBe(
        0,
      );
    admin = await anAdminBrowser(api, origin, db.url, 'root@example.test');
  });

  afterAll(async () => {
    await api?.stop();
    await vf?.stop();
    await ds?.destroy();
    await db?.drop();
  });

  beforeEach(() => {
    vf.holdQueue = false;
    vf.releaseQueue();
  });

  /** A running server of `who`: its panel id, VirtFusion id and hostname. */
  async function aServer(who = owner, extra: Record<string, unknown> = {}) {
    const hostname = `vps${++n}.example.test`;
    const r = await who.browser.request('POST', '/api/servers', {
      body: { planId, osTemplateId: 8, hostname, idempotencyKey: `actions-${n}-${Date.now()}`, ...extra },
    });
    expect(r.status).toBe(201);
    const server = (r.body as { server: { id: number; status: string } }).server;
    expect(server.status).toBe('active');
    const vfId = Number(
      (await ds.query(`SELECT virtfusion_server_id AS id FROM servers WHERE id = $1`, [server.id]))[0].id,
    );
    return { id: server.id, vfId, hostname };
  }

  const state = async (id: number, who = owner) => {
    const r = await who.browser.request('GET', `/api/servers/${id}/state`);
    expect(r.status).toBe(200);
    return r.body as StateBody;
  };
  const actions = (serverId: number) =>
    ds.query(`SELECT kind, status, actor, message FROM server_actions WHERE server_id = $1 ORDER BY id`, [
      serverId,
    ]) as Promise<{ kind: string; status: string; actor: string; message: string | null }[]>;
  const events = async (serverId: number) =>
    (
      (await ds.query(`SELECT type, actor, detail FROM server_events WHERE server_id = $1 ORDER BY id`, [
        serverId,
      ])) as { type: string; actor: string; detail: string | null }[]
    ).map((e) => `${e.type} ${e.actor}`);
  const powerCalls = (vfId: number) =>
    vf.callsTo('POST /servers/power').filter((c) => c.path.includes(`/servers/${vfId}/`)).length;
  const errorOf = (body: unknown) => (body as { error: { code: string; message: string } }).error;

  it('power: 202 with a running action; state shows it running until VirtFusion finishes the job, then the power it left', async () => {
    const s = await aServer();
    vf.holdQueue = true;
    const restart = await owner.browser.request('POST', `/api/servers/${s.id}/power`, {
      body: { action: 'restart' },
    });
    expect(restart.status).toBe(202);
    expect((restart.body as ActionBody).action).toMatchObject({ kind: 'restart', status: 'running' });
    expect(vf.callsTo('POST /servers/power').at(-1)!.path).toBe(`/api/v1/servers/${s.vfId}/power/restart`);
    expect(await state(s.id)).toMatchObject({
      power: 'running',
      reachable: true,
      action: { status: 'running' },
    });
    vf.releaseQueue();
    expect(await state(s.id)).toMatchObject({
      power: 'running',
      action: { kind: 'restart', status: 'succeeded' },
    });

    const shutdown = await owner.browser.request('POST', `/api/servers/${s.id}/power`, {
      body: { action: 'shutdown' },
    });
    expect(shutdown.status).toBe(202);
    expect((await state(s.id)).power).toBe('running');
    vf.releaseQueue();
    expect(await state(s.id)).toMatchObject({
      power: 'stopped',
      action: { kind: 'shutdown', status: 'succeeded' },
    });
    vf.holdQueue = false;
    expect(
      (await owner.browser.request('POST', `/api/servers/${s.id}/power`, { body: { action: 'start' } }))
        .status,
    ).toBe(202);
    expect(await state(s.id)).toMatchObject({
      power: 'running',
      action: { kind: 'start', status: 'succeeded' },
    });

    expect(await actions(s.id)).toEqual(
      ['restart', 'shutdown', 'start'].map((kind) => ({
        kind,
        status: 'succeeded',
        actor: `user:${owner.id}`,
        message: null,
      })),
    );
    expect(await events(s.id)).toEqual(
      expect.arrayContaining([
        `restart_requested user:${owner.id}`,
        `restart_succeeded user:${owner.id}`,
        `shutdown_succeeded user:${owner.id}`,
        `start_succeeded user:${owner.id}`,
      ]),
    );
    const page = await owner.browser.request('GET', `/api/servers/${s.id}`);
    const history = (page.body as { server: { history: { text: string; actor: string }[] } }).server.history;
    expect(history).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ text: 'Restarted', actor: 'you' }),
        expect.objectContaining({ text: 'Shut down', actor: 'you' }),
      ]),
    );
  });

  it('without a queue id from VirtFusion, an action settles when its jobs are done and the power is what it asked for', async () => {
    const s = await aServer();
    vf.omitQueueIds = true;
    try {
      vf.holdQueue = true;
      const r = await owner.browser.request('POST', `/api/servers/${s.id}/power`, {
        body: { action: 'poweroff' },
      });
      expect(r.status).toBe(202);
      expect(await state(s.id)).toMatchObject({
        power: 'running',
        action: { kind: 'poweroff', status: 'running' },
      });
      vf.releaseQueue();
      expect(await state(s.id)).toMatchObject({
        power: 'stopped',
        action: { kind: 'poweroff', status: 'succeeded' },
      });
      const pw = await owner.browser.request('POST', `/api/servers/${s.id}/reset-password`, { body: {} });
      expect(pw.status).toBe(200);
      expect((await state(s.id)).action).toMatchObject({ kind: 'reset_password', status: 'running' });
      vf.releaseQueue();
      expect((await state(s.id)).action).toMatchObject({ kind: 'reset_password', status: 'succeeded' });
    } finally {
      vf.omitQueueIds = false;
    }
  });

  it('one action at a time: another request while one runs is 409 action_in_progress; of two at once, one 202 and one 409', async () => {
    const s = await aServer();
    vf.holdQueue = true;
    const both = await Promise.all(
      ['restart', 'poweroff'].map((action) =>
        owner.browser.request('POST', `/api/servers/${s.id}/power`, { body: { action } }),
      ),
    );
    expect(both.map((r) => r.status).sort()).toEqual([202, 409]);
    expect(errorOf(both.find((r) => r.status === 409)!.body).code).toBe('action_in_progress');
    expect(powerCalls(s.vfId)).toBe(1);
    const third = await owner.browser.request('POST', `/api/servers/${s.id}/reset-password`, { body: {} });
    expect(third.status).toBe(409);
    expect(errorOf(third.body).code).toBe('action_in_progress');
    const [{ running }] = await ds.query(
      `SELECT count(*)::int AS running FROM server_actions WHERE server_id = $1 AND status = 'running'`,
      [s.id],
    );
    expect(running).toBe(1);
    vf.releaseQueue();
    expect(
      (await owner.browser.request('POST', `/api/servers/${s.id}/power`, { body: { action: 'start' } }))
        .status,
    ).toBe(202);
  });

  it('a per-server rate limit: the 11th action within 10 minutes is 429 too_many_actions and never reaches VirtFusion', async () => {
    const s = await aServer();
    for (let i = 0; i < 10; i++) {
      const r = await owner.browser.request('POST', `/api/servers/${s.id}/power`, {
        body: { action: 'restart' },
      });
      expect(r.status).toBe(202);
    }
    const limited = await owner.browser.request('POST', `/api/servers/${s.id}/power`, {
      body: { action: 'restart' },
    });
    expect(limited.status).toBe(429);
    expect(errorOf(limited.body)).toMatchObject({ code: 'too_many_actions' });
    expect(powerCalls(s.vfId)).toBe(10);
    expect((await actions(s.id)).length).toBe(10);
    // Another server of the same customer is not limited by this one.
    const t = await aServer();
    expect(
      (await owner.browser.request('POST', `/api/servers/${t.id}/power`, { body: { action: 'restart' } }))
        .status,
    ).toBe(202);
  });

  it('VirtFusion failing: a 422 carries its reason, a 500 or a timeout is 502 "did not answer"; the action is recorded failed', async () => {
    const s = await aServer();
    const power = () =>
      owner.browser.request('POST', `/api/servers/${s.id}/power`, { body: { action: 'restart' } });
    vf.failCall('POST /servers/power', '422');
    const refused = await power();
    expect(refused.status).toBe(422);
    expect(errorOf(refused.body)).toEqual({
      code: 'virtfusion_refused',
      message: 'The given data was invalid.; fake failure 422',
    });
    for (const kind of ['500', 'timeout'] as const) {
      vf.failCall('POST /servers/power', kind);
      const r = await power();
      expect(r.status).toBe(502);
      expect(errorOf(r.body)).toEqual({
        code: 'virtfusion_unavailable',
        message: 'VirtFusion did not answer, nothing was changed — try again',
      });
      expect(JSON.stringify(r.body)).not.toMatch(/at .*\.js|Error:/);
    }
    expect(await actions(s.id)).toEqual([
      expect.objectContaining({ status: 'failed', message: 'The given data was invalid.; fake failure 422' }),
      expect.objectContaining({ status: 'failed', message: expect.stringMatching(/did not answer/) }),
      expect.objectContaining({ status: 'failed', message: expect.stringMatching(/did not answer/) }),
    ]);
    expect((await events(s.id)).filter((e) => e.startsWith('restart_failed'))).toHaveLength(3);
    // Nothing is left running: the next action goes through.
    expect((await power()).status).toBe(202);
  });

  it('VirtFusion answering 404 for the server is 409 virtfusion_server_missing (retrying cannot help); a reset-password with no answer says the password may have been reset', async () => {
    const s = await aServer();
    vf.failCall('POST /servers/power', '404');
    const gone = await owner.browser.request('POST', `/api/servers/${s.id}/power`, {
      body: { action: 'start' },
    });
    expect(gone.status).toBe(409);
    expect(errorOf(gone.body)).toEqual({
      code: 'virtfusion_server_missing',
      message: 'This server no longer exists in VirtFusion: nothing was changed. Please contact support.',
    });
    for (const kind of ['timeout-after', '500-after'] as const) {
      vf.failCall('POST /servers/resetPassword', kind);
      const r = await owner.browser.request('POST', `/api/servers/${s.id}/reset-password`, { body: {} });
      expect(r.status).toBe(502);
      expect(errorOf(r.body)).toEqual({
        code: 'virtfusion_unavailable',
        message:
          'VirtFusion did not answer: the root password may have been reset without being shown — reset it again to get one you can see',
      });
    }
  });

  it('cancel at period end is refused for an overdue server (its paid period already ended): it is not deleted at the next run', async () => {
    const s = await aServer();
    await ds.query(
      `UPDATE servers SET paid_until = now() - interval '2 days', overdue_since = now() - interval '2 days' WHERE id = $1`,
      [s.id],
    );
    const r = await owner.browser.request('POST', `/api/servers/${s.id}/cancel-at-period-end`, { body: {} });
    expect(r.status).toBe(409);
    expect(errorOf(r.body).message).toMatch(/renewal is unpaid/);
    expect((await ds.query(`SELECT cancel_at_period_end AS c FROM servers WHERE id = $1`, [s.id]))[0].c).toBe(
      false,
    );
  });

  it("another customer's server, a missing or a non-numeric id: 404 server_not_found on every action, nothing sent", async () => {
    const s = await aServer(other);
    const before = vf.calls.length;
    const attempts: [string, string, unknown][] = [
      ['GET', `/api/servers/${s.id}`, undefined],
      ['GET', `/api/servers/${s.id}/state`, undefined],
      ['POST', `/api/servers/${s.id}/power`, { action: 'poweroff' }],
      ['POST', `/api/servers/${s.id}/console`, {}],
      ['POST', `/api/servers/${s.id}/reset-password`, {}],
      ['GET', `/api/servers/${s.id}/templates`, undefined],
      ['POST', `/api/servers/${s.id}/reinstall`, { templateId: 8, confirmHostname: s.hostname }],
      ['POST', `/api/servers/${s.id}/rename`, { hostname: 'mine.example.test' }],
      ['GET', `/api/servers/${s.id}/traffic`, undefined],
      ['POST', `/api/servers/${s.id}/cancel-at-period-end`, {}],
      ['POST', `/api/servers/${s.id}/keep`, {}],
      ['POST', '/api/servers/999999/power', { action: 'start' }],
      ['POST', '/api/servers/abc/power', { action: 'start' }],
      ['POST', '/api/servers/1.5/power', { action: 'start' }],
      ['GET', '/api/servers/-1/state', undefined],
    ];
    for (const [method, path, body] of attempts) {
      const r = await owner.browser.request(method, path, { body });
      expect({ path, status: r.status, code: errorOf(r.body).code }).toEqual({
        path,
        status: 404,
        code: 'server_not_found',
      });
    }
    expect(vf.calls.length).toBe(before);
    expect(await actions(s.id)).toEqual([]);
    const [row] = await ds.query(`SELECT hostname, cancel_at_period_end FROM servers WHERE id = $1`, [s.id]);
    expect(row).toEqual({ hostname: s.hostname, cancel_at_period_end: false });
  });

  it('a suspended server refuses actions with 409 server_suspended (what to do); a failed deploy is 409 server_not_ready', async () => {
    const s = await aServer();
    const suspended = await admin.request('POST', `/api/admin/servers/${s.id}/suspend`, { body: {} });
    expect(suspended.status).toBe(200);
    for (const [path, body] of [
      ['power', { action: 'start' }],
      ['console', {}],
      ['reset-password', {}],
      ['reinstall', { templateId: 8, confirmHostname: s.hostname }],
      ['rename', { hostname: 'renamed.example.test' }],
    ] as const) {
      const r = await owner.browser.request('POST', `/api/servers/${s.id}/${path}`, { body });
      expect({ path, status: r.status, code: errorOf(r.body).code }).toEqual({
        path,
        status: 409,
        code: 'server_suspended',
      });
      expect(errorOf(r.body).message).toMatch(/contact support/);
    }
    expect((await state(s.id)).power).toBe('suspended');
    expect(await actions(s.id)).toEqual([]);
    // Stopping payment never needs an empty wallet: a suspended server can still be cancelled.
    const cancelled = await owner.browser.request('POST', `/api/servers/${s.id}/cancel-at-period-end`, {
      body: {},
    });
    expect(cancelled.status).toBe(200);
    expect((cancelled.body as { server: { cancelAtPeriodEnd: boolean } }).server.cancelAtPeriodEnd).toBe(
      true,
    );

    vf.failCall('POST /servers', '422');
    const failed = await owner.browser.request('POST', '/api/servers', {
      body: {
        planId,
        osTemplateId: 8,
        hostname: `failed${++n}.example.test`,
        idempotencyKey: `failed-${n}-${Date.now()}`,
      },
    });
    const failedId = (failed.body as { server: { id: number; status: string } }).server.id;
    expect((failed.body as { server: { status: string } }).server.status).toBe('failed');
    const r = await owner.browser.request('POST', `/api/servers/${failedId}/power`, {
      body: { action: 'start' },
    });
    expect(r.status).toBe(409);
    expect(errorOf(r.body)).toMatchObject({
      code: 'server_not_ready',
      message: expect.stringMatching(/deploy failed/),
    });
  });

  it('bad input: an unknown power action or wrong types are 400 and record nothing', async () => {
    const s = await aServer();
    for (const body of [{ action: 'reboot' }, { action: 1 }, {}, { action: ['start'] }]) {
      const r = await owner.browser.request('POST', `/api/servers/${s.id}/power`, { body });
      expect(r.status).toBe(400);
      expect(errorOf(r.body).message).toMatch(/start, shutdown, restart, poweroff/);
    }
    for (const body of [
      { templateId: 'eight', confirmHostname: s.hostname },
      { templateId: 8, confirmHostname: 5 },
      { templateId: 8, confirmHostname: s.hostname, sshKeyIds: 'all' },
      { templateId: 8, confirmHostname: s.hostname, sshKeyIds: [0] },
    ]) {
      const r = await owner.browser.request('POST', `/api/servers/${s.id}/reinstall`, { body });
      expect(r.status).toBe(400);
    }
    for (const hostname of ['', 'UNDER_SCORE.example', '-x.example.test', 'a'.repeat(254), 7]) {
      const r = await owner.browser.request('POST', `/api/servers/${s.id}/rename`, { body: { hostname } });
      expect(r.status).toBe(400);
    }
    expect(await actions(s.id)).toEqual([]);
    expect(powerCalls(s.vfId)).toBe(0);
  });

  it('reset-password: the new password once (Cache-Control: no-store), never in the database, the events or any log', async () => {
    const s = await aServer();
    const res = await fetch(`${api.baseUrl}/api/servers/${s.id}/reset-password`, {
      method: 'POST',
      headers: { origin, cookie: `ozvps_session=${owner.browser.token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { password } = (await res.json()) as { password: string };
    expect(password).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(vf.stateOf(s.vfId).rootPassword).toBe(password);
    expect(vf.callsTo('POST /servers/resetPassword').at(-1)!.body).toEqual({ user: 'root', sendMail: false });
    expect((await state(s.id)).action).toMatchObject({ kind: 'reset_password', status: 'succeeded' });

    const cli1 = await cli('servers', 'reset-password', String(s.id));
    expect(cli1.code).toBe(2);
    expect(cli1.stderr).toMatch(/--yes/);
    const viaCli = await cli('servers', 'reset-password', String(s.id), '--yes');
    expect(viaCli.code).toBe(0);
    const cliPassword = vf.stateOf(s.vfId).rootPassword!;
    expect(viaCli.stdout.split(cliPassword)).toHaveLength(2); // printed exactly once
    expect(viaCli.stdout).toMatch(
      new RegExp(`audit .*actor=cli:${SUDO_USER} action=servers\\.reset-password`),
    );
    expect(viaCli.stdout.split('\n').find((l) => l.startsWith('audit'))).not.toContain(cliPassword);

    for (const secret of [password, cliPassword]) {
      expect(api.output()).not.toContain(secret);
      expect(viaCli.stderr).not.toContain(secret);
      const [{ found }] = await ds.query(
        `SELECT (SELECT count(*) FROM server_events WHERE detail LIKE '%' || $1 || '%')
              + (SELECT count(*) FROM server_actions WHERE message LIKE '%' || $1 || '%')
              + (SELECT count(*) FROM servers WHERE row_to_json(servers)::text LIKE '%' || $1 || '%') AS found`,
        [secret],
      );
      expect(Number(found)).toBe(0);
    }
    expect(await events(s.id)).toEqual(
      expect.arrayContaining([
        `reset_password_requested user:${owner.id}`,
        `reset_password_requested cli:${SUDO_USER}`,
      ]),
    );
  });

  it('console and "Manage in VirtFusion": the one-time URL VirtFusion returned; the API token never reaches the browser', async () => {
    const s = await aServer();
    const consoleRes = await owner.browser.request('POST', `/api/servers/${s.id}/console`, { body: {} });
    expect(consoleRes.status).toBe(200);
    const { url } = consoleRes.body as { url: string };
    expect(url).toMatch(new RegExp(`^${vf.url}/token_authenticate/\\?1=tok1-[a-z0-9]+&2=tok2-[a-z0-9]+$`));
    expect(vf.callsTo('POST /users/serverAuthenticationTokens').at(-1)!.path).toBe(
      `/api/v1/users/${owner.id}/serverAuthenticationTokens/${s.vfId}`,
    );
    const login = await owner.browser.request('POST', '/api/virtfusion/login', { body: {} });
    expect(login.status).toBe(200);
    expect((login.body as { url: string }).url).toMatch(new RegExp(`^${vf.url}/token_authenticate/`));
    for (const r of [consoleRes, login]) expect(JSON.stringify(r.body)).not.toContain(vf.token);
    expect(await events(s.id)).toContain(`console_opened user:${owner.id}`);

    const stranger = await aCustomerBrowser(api, origin, `stranger${++n}@example.test`);
    const none = await stranger.browser.request('POST', '/api/virtfusion/login', { body: {} });
    expect(none.status).toBe(409);
    expect(errorOf(none.body).code).toBe('virtfusion_account_missing');
    vf.failCall('POST /users/serverAuthenticationTokens', '500');
    const down = await owner.browser.request('POST', `/api/servers/${s.id}/console`, { body: {} });
    expect(down.status).toBe(502);
    expect(errorOf(down.body).code).toBe('virtfusion_unavailable');
  });

  it('SSH keys: ed25519, ecdsa and rsa ≥ 2048 are kept with fingerprints; rsa 1024, garbage, a private key and a duplicate are refused; only the owner sees or deletes them', async () => {
    const ed = anSshKey('ed25519');
    const ec = anSshKey('ecdsa', 384);
    const rsa = anSshKey('rsa', 2048);
    const added = [];
    for (const [name, key] of [
      ['laptop', ed],
      ['work', ec],
      ['old box', rsa],
    ] as const) {
      const r = await other.browser.request('POST', '/api/ssh-keys', {
        body: { name, publicKey: key.publicKey },
      });
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({ name, fingerprint: key.fingerprint });
      added.push(r.body as { id: number });
    }
    const list = await other.browser.request('GET', '/api/ssh-keys');
    expect(list.body).toEqual([
      expect.objectContaining({
        name: 'laptop',
        type: 'ssh-ed25519',
        bits: null,
        fingerprint: ed.fingerprint,
      }),
      expect.objectContaining({ name: 'work', type: 'ecdsa-sha2-nistp384', bits: 384 }),
      expect.objectContaining({ name: 'old box', type: 'ssh-rsa', bits: 2048 }),
    ]);
    expect(JSON.stringify(list.body)).not.toContain('tester@example.test'); // the comment is not kept

    const count = async () =>
      Number((await ds.query(`SELECT count(*) FROM ssh_keys WHERE user_id = $1`, [other.id]))[0].count);
    for (const [publicKey, code, status] of [
      [anSshKey('rsa', 1024).publicKey, 'invalid_ssh_key', 422],
      ['ssh-ed25519 not-base64!!', 'invalid_ssh_key', 422],
      [ed.privateKey, 'invalid_ssh_key', 422],
      [ed.publicKey.replace('tester@example.test', 'copy'), 'ssh_key_exists', 409],
    ] as const) {
      const r = await other.browser.request('POST', '/api/ssh-keys', { body: { name: 'bad', publicKey } });
      expect({ status: r.status, code: errorOf(r.body).code }).toEqual({ status, code });
    }
    expect(
      (await other.browser.request('POST', '/api/ssh-keys', { body: { name: '', publicKey: ed.publicKey } }))
        .status,
    ).toBe(400);
    expect(await count()).toBe(3);

    expect(await owner.browser.request('GET', '/api/ssh-keys')).toMatchObject({ status: 200, body: [] });
    const stolen = await owner.browser.request('DELETE', `/api/ssh-keys/${added[0]!.id}`, { body: {} });
    expect(stolen.status).toBe(404);
    expect(
      (await other.browser.request('DELETE', `/api/ssh-keys/${added[2]!.id}`, { body: {} })).status,
    ).toBe(204);
    expect(
      (await other.browser.request('DELETE', `/api/ssh-keys/${added[2]!.id}`, { body: {} })).status,
    ).toBe(404);
    expect(await count()).toBe(2);
  });

  it("reinstall: templates for the server, the hostname typed to confirm, SSH keys copied to VirtFusion and installed; another customer's key is 422; the build is tracked to completion", async () => {
    const s = await aServer();
    const key = anSshKey('ed25519');
    const mine = (
      await owner.browser.request('POST', '/api/ssh-keys', {
        body: { name: 'deploy', publicKey: key.publicKey },
      })
    ).body as { id: number };
    const theirs = (
      await other.browser.request('POST', '/api/ssh-keys', {
        body: { name: 'theirs', publicKey: anSshKey('ed25519').publicKey },
      })
    ).body as { id: number };

    const templates = await owner.browser.request('GET', `/api/servers/${s.id}/templates`);
    expect(templates.body).toEqual([
      { id: 8, name: 'Debian 11 (Bullseye) Minimal', description: 'Minimal installation' },
      { id: 44, name: 'Debian 12 (Bookworm) Minimal', description: 'Minimal installation' },
    ]);
    const builds = () =>
      vf.callsTo('POST /servers/build').filter((c) => c.path.includes(`/servers/${s.vfId}/`));
    const before = builds().length;
    const reinstall = (body: Record<string, unknown>) =>
      owner.browser.request('POST', `/api/servers/${s.id}/reinstall`, { body });

    const mismatch = await reinstall({ templateId: 44, confirmHostname: 'someone.else.test' });
    expect(mismatch.status).toBe(422);
    expect(errorOf(mismatch.body)).toMatchObject({
      code: 'confirmation_mismatch',
      message: expect.stringContaining(s.hostname),
    });
    const notOffered = await reinstall({ templateId: 999, confirmHostname: s.hostname });
    expect({ status: notOffered.status, code: errorOf(notOffered.body).code }).toEqual({
      status: 400,
      code: 'template_not_offered',
    });
    const foreignKey = await reinstall({
      templateId: 44,
      confirmHostname: s.hostname,
      sshKeyIds: [theirs.id],
    });
    expect({ status: foreignKey.status, code: errorOf(foreignKey.body).code }).toEqual({
      status: 422,
      code: 'ssh_key_not_found',
    });
    expect(builds().length).toBe(before);
    expect(vf.sshKeys.some((k) => k.name === 'theirs')).toBe(false);

    vf.holdQueue = true;
    const ok = await reinstall({
      templateId: 44,
      confirmHostname: ` ${s.hostname.toUpperCase()} `,
      sshKeyIds: [mine.id],
    });
    expect(ok.status).toBe(202);
    expect((ok.body as ActionBody).action).toMatchObject({ kind: 'reinstall', status: 'running' });
    const vfKey = vf.sshKeys.find((k) => k.publicKey === key.publicKey.split(' ').slice(0, 2).join(' '))!;
    expect(vfKey).toBeDefined();
    expect(builds().at(-1)!.body).toMatchObject({
      operatingSystemId: 44,
      hostname: s.hostname,
      sshKeys: [vfKey.id],
    });
    expect(await state(s.id)).toMatchObject({
      power: 'building',
      action: { kind: 'reinstall', status: 'running' },
    });
    vf.releaseQueue();
    expect(await state(s.id)).toMatchObject({
      power: 'running',
      action: { kind: 'reinstall', status: 'succeeded' },
    });
    const page = (await owner.browser.request('GET', `/api/servers/${s.id}`)).body as {
      server: { os: string; history: { text: string }[] };
    };
    expect(page.server.os).toBe('Debian 12 (Bookworm) Minimal');
    expect(page.server.history.map((h) => h.text)).toContain('Reinstalled');

    // A second reinstall reuses the key VirtFusion already holds.
    expect(
      (await reinstall({ templateId: 8, confirmHostname: s.hostname, sshKeyIds: [mine.id] })).status,
    ).toBe(202);
    expect(vf.sshKeys.filter((k) => k.publicKey === vfKey.publicKey)).toHaveLength(1);
  });

  it("deploy with sshKeyIds: the build installs them; another customer's key id is 422 with nothing charged or created", async () => {
    const key = (
      await owner.browser.request('POST', '/api/ssh-keys', {
        body: { name: 'at deploy', publicKey: anSshKey('ecdsa', 256).publicKey },
      })
    ).body as { id: number };
    const s = await aServer(owner, { sshKeyIds: [key.id] });
    const installed = vf.stateOf(s.vfId).sshKeys;
    expect(installed).toHaveLength(1);
    expect(vf.sshKeys.find((k) => k.id === installed[0])!.name).toBe('at deploy');

    const rows = async () =>
      (
        await ds.query(
          `SELECT (SELECT count(*)::int FROM servers WHERE user_id = $1) AS servers,
                (SELECT balance_cents::int FROM wallets WHERE user_id = $1) AS balance`,
          [other.id],
        )
      )[0];
    const before = await rows();
    const r = await other.browser.request('POST', '/api/servers', {
      body: {
        planId,
        osTemplateId: 8,
        hostname: `x${++n}.example.test`,
        idempotencyKey: `steal-${n}-${Date.now()}`,
        sshKeyIds: [key.id],
      },
    });
    expect(r.status).toBe(422);
    expect(errorOf(r.body).code).toBe('ssh_key_not_found');
    expect(await rows()).toEqual(before);
  });

  it('rename: the same hostname rules as deploy; renamed in VirtFusion; the history says so', async () => {
    const s = await aServer();
    const r = await owner.browser.request('POST', `/api/servers/${s.id}/rename`, {
      body: { hostname: ' New-Name.Example.TEST ' },
    });
    expect(r.status).toBe(200);
    expect((r.body as { server: { hostname: string } }).server.hostname).toBe('new-name.example.test');
    expect(vf.servers.find((v) => v.id === s.vfId)!.name).toBe('new-name.example.test');
    expect(
      (r.body as { server: { history: { text: string }[] } }).server.history.map((h) => h.text),
    ).toContain(`Renamed: ${s.hostname} → new-name.example.test`);
    vf.failCall('PUT /servers/modify/name', '422');
    const refused = await owner.browser.request('POST', `/api/servers/${s.id}/rename`, {
      body: { hostname: 'other.example.test' },
    });
    expect(refused.status).toBe(422);
    expect((await ds.query(`SELECT hostname FROM servers WHERE id = $1`, [s.id]))[0].hostname).toBe(
      'new-name.example.test',
    );
  });

  it('traffic: used this month against the plan allowance; 502 when VirtFusion does not answer', async () => {
    const s = await aServer();
    Object.assign(vf.stateOf(s.vfId), { rxBytes: 3_000_000, txBytes: 1_000_000 });
    const r = await owner.browser.request('GET', `/api/servers/${s.id}/traffic`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      usedBytes: 4_000_000,
      allowanceBytes: 500 * 1024 ** 3,
      days: [],
      months: [{ inBytes: 3_000_000, outBytes: 1_000_000 }],
    });
    expect((r.body as { periodStart: string }).periodStart).toMatch(/^\d{4}-\d{2}-01T00:00:00Z$/);
    vf.failCall('GET /servers/traffic', '500', 3);
    const down = await owner.browser.request('GET', `/api/servers/${s.id}/traffic`);
    expect(down.status).toBe(502);
    expect(errorOf(down.body)).toEqual({
      code: 'virtfusion_unavailable',
      message: 'VirtFusion did not answer, nothing was changed — try again',
    });
  });

  it('GET /api/servers/:id: plan specs, OS, addresses, next renewal and history in words, without VirtFusion ids or package numbers', async () => {
    const s = await aServer();
    const r = await owner.browser.request('GET', `/api/servers/${s.id}`);
    const server = (r.body as { server: Record<string, unknown> }).server;
    expect(server).toMatchObject({
      plan: { name: 'Starter', vcpu: 1, memoryMb: 1024, diskGb: 10, trafficGb: 500 },
      os: 'Debian 11 (Bullseye) Minimal',
      ipv4: [expect.stringMatching(/^203\.0\.113\./)],
      ipv6: [`2001:db8:${s.vfId.toString(16)}::/64`],
      cancelAtPeriodEnd: false,
      nextRenewalAt: server.paidUntil,
    });
    const texts = (server.history as { text: string; actor: string }[]).map((h) => h.text);
    expect(texts[0]).toMatch(/^Ordered and paid: first month A\$12\.00$/);
    expect(texts).toContain(`Ready at ${server.ipAddress as string}`);
    expect(texts.join('\n')).not.toMatch(/VirtFusion server|package \d|OS template \d/);
    const list = await owner.browser.request('GET', '/api/servers');
    expect((list.body as { servers: { id: number; cancelAtPeriodEnd: boolean }[] }).servers).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: s.id, cancelAtPeriodEnd: false })]),
    );
  });

  it('VirtFusion hanging: the server page and its state still answer after one timeout, with what the panel recorded', async () => {
    const s = await aServer();
    const reads = () =>
      vf.callsTo('GET /servers').filter((c) => c.path.startsWith(`/api/v1/servers/${s.vfId}`)).length;
    const before = reads();
    vf.failCall('GET /servers', 'timeout', 3);
    const page = await owner.browser.request('GET', `/api/servers/${s.id}`);
    expect(page.status).toBe(200);
    const server = (page.body as { server: { ipAddress: string; ipv4: string[]; ipv6: string[] } }).server;
    expect(server.ipv4).toEqual([server.ipAddress]);
    expect(server.ipv6).toEqual([]);
    const st = await state(s.id);
    expect(st).toMatchObject({ power: 'unknown', reachable: false });
    // One attempt each (no retries while a page waits): the third failure is still queued.
    expect(reads() - before).toBe(2);
    expect(await state(s.id)).toMatchObject({ reachable: false }); // the third timeout
    expect(await state(s.id)).toMatchObject({ power: 'running', reachable: true });
  });

  describe('cancel at period end, renewals and the settle timeout (in-process libs on injected time)', () => {
    let libs: INestApplicationContext;
    let clock: TestClock;

    beforeAll(async () => {
      clock = new TestClock(new Date());
      libs = await bootLibs(db.url, { env: vfEnv(), servers: true, clock });
    });

    afterAll(async () => {
      await libs?.close();
    });

    const row = async (id: number) =>
      (
        await ds.query(
          `SELECT status, cancel_at_period_end AS cancel, periods_paid AS periods, paid_until AS "paidUntil"
             FROM servers WHERE id = $1`,
          [id],
        )
      )[0] as { status: string; cancel: boolean; periods: number; paidUntil: Date };
    const charges = async (id: number) =>
      Number(
        (
          await ds.query(`SELECT count(*) FROM wallet_transactions WHERE idempotency_key LIKE $1`, [
            `server-charge:${id}:%`,
          ])
        )[0].count,
      );

    it('cancelled: the renewal run does not charge it and terminates it at paid_until (deleted in VirtFusion); keep undoes it before then', async () => {
      const cancelled = await aServer();
      const kept = await aServer();
      const c = await owner.browser.request('POST', `/api/servers/${cancelled.id}/cancel-at-period-end`, {
        body: {},
      });
      expect(c.status).toBe(200);
      expect(
        (c.body as { server: { cancelAtPeriodEnd: boolean; nextRenewalAt: string | null } }).server,
      ).toMatchObject({
        cancelAtPeriodEnd: true,
        nextRenewalAt: null,
      });
      // Again: the same answer, recorded once.
      expect(
        (
          await owner.browser.request('POST', `/api/servers/${cancelled.id}/cancel-at-period-end`, {
            body: {},
          })
        ).status,
      ).toBe(200);
      expect((await events(cancelled.id)).filter((e) => e.startsWith('cancel_at_period_end'))).toHaveLength(
        1,
      );
      expect(
        (await owner.browser.request('POST', `/api/servers/${kept.id}/cancel-at-period-end`, { body: {} }))
          .status,
      ).toBe(200);
      const k = await owner.browser.request('POST', `/api/servers/${kept.id}/keep`, { body: {} });
      expect((k.body as { server: { cancelAtPeriodEnd: boolean } }).server.cancelAtPeriodEnd).toBe(false);

      // Before paid_until nothing happens; just after it the cancelled one ends, the kept one renews.
      clock.set(new Date((await row(cancelled.id)).paidUntil.getTime() - HOUR));
      await libs.get(RenewalsService).run(owner.id);
      expect(await row(cancelled.id)).toMatchObject({ status: 'active', cancel: true });
      clock.set(new Date((await row(kept.id)).paidUntil.getTime() + HOUR));
      await libs.get(RenewalsService).run(owner.id);
      expect(await row(cancelled.id)).toMatchObject({ status: 'terminated', periods: 1 });
      expect(await charges(cancelled.id)).toBe(1);
      expect(vf.servers.some((v) => v.id === cancelled.vfId)).toBe(false);
      expect(await row(kept.id)).toMatchObject({ status: 'active', periods: 2 });
      expect(await charges(kept.id)).toBe(2);
      const history = (
        (await owner.browser.request('GET', `/api/servers/${cancelled.id}`)).body as {
          server: { history: { text: string; actor: string }[] };
        }
      ).server.history;
      expect(history).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            text: expect.stringMatching(/^Cancelled at the end of the paid period: ends on \d+ \w{3} \d{4}/),
            actor: 'you',
          }),
          expect.objectContaining({
            text: expect.stringMatching(/^Terminated: cancelled at the customer's request/),
            actor: 'system',
          }),
        ]),
      );
      // Terminated: nothing to keep any more.
      expect(
        (await owner.browser.request('POST', `/api/servers/${cancelled.id}/keep`, { body: {} })).status,
      ).toBe(409);
    });

    it('an action VirtFusion never finishes is recorded failed ("did not settle") after its timeout', async () => {
      const s = await aServer();
      vf.holdQueue = true;
      expect(
        (await owner.browser.request('POST', `/api/servers/${s.id}/power`, { body: { action: 'restart' } }))
          .status,
      ).toBe(202);
      const service = libs.get(ServerActionsService);
      clock.set(new Date(Date.now() + 60_000));
      expect((await service.state(s.id, { ownerId: owner.id })).action).toMatchObject({ status: 'running' });
      clock.set(new Date(Date.now() + 6 * 60_000));
      expect((await service.state(s.id, { ownerId: owner.id })).action).toMatchObject({
        status: 'failed',
        message: expect.stringMatching(/did not settle within 5 minutes/),
      });
      expect(await events(s.id)).toContain(`restart_failed user:${owner.id}`);
    });

    it('admin: "needs care" lists overdue, suspended, failed and waiting servers with owner and plan; customers are refused', async () => {
      // An overdue server: a customer whose wallet holds exactly one month.
      const poor = await aCustomerBrowser(api, origin, `poor${++n}@example.test`);
      expect((await cli('wallet', 'add', String(poor.id), String(PRICE), '--reason', 'one month')).code).toBe(
        0,
      );
      const overdue = await aServer(poor);
      clock.set(new Date((await row(overdue.id)).paidUntil.getTime() + HOUR));
      await libs.get(RenewalsService).run(poor.id);
      const healthy = await aServer();

      const care = await admin.request('GET', '/api/admin/servers?care=1');
      expect(care.status).toBe(200);
      const rows = care.body as {
        id: number;
        care: string[];
        owner: { id: number; email: string };
        planName: string;
      }[];
      expect(rows.find((r) => r.id === overdue.id)).toMatchObject({
        care: ['overdue'],
        owner: { id: poor.id, email: expect.stringMatching(/^poor\d+@example\.test$/) },
        planName: 'Starter',
      });
      expect(rows.some((r) => r.id === healthy.id)).toBe(false);
      expect(rows.every((r) => r.care.length > 0)).toBe(true);
      expect(rows.some((r) => r.care.includes('failed'))).toBe(true);
      const all = (await admin.request('GET', `/api/admin/servers?userId=${poor.id}`)).body as {
        id: number;
      }[];
      expect(all.map((r) => r.id)).toEqual([overdue.id]);
      expect((await admin.request('GET', '/api/admin/servers?care=yes')).status).toBe(400);
      expect((await admin.request('GET', '/api/admin/servers?status=gone')).status).toBe(400);

      const suspended = await admin.request('POST', `/api/admin/servers/${overdue.id}/suspend`, {
        body: { reason: 'overdue' },
      });
      expect(suspended.status).toBe(200);
      expect((suspended.body as { server: { care: string[] } }).server.care).toEqual([
        'overdue',
        'suspended',
      ]);
      expect(vf.servers.find((v) => v.id === overdue.vfId)!.suspended).toBe(true);
      const page = await admin.request('GET', `/api/admin/servers/${overdue.id}`);
      expect(page.body).toMatchObject({
        server: { id: overdue.id, owner: { id: poor.id }, status: 'suspended', history: expect.any(Array) },
        events: expect.arrayContaining([
          expect.objectContaining({
            type: 'suspended',
            actor: expect.stringMatching(/^admin:/),
            detail: 'suspended by an admin: overdue',
          }),
        ]),
        action: null,
      });
      for (const [method, path] of [
        ['GET', '/api/admin/servers'],
        ['GET', `/api/admin/servers/${overdue.id}`],
        ['POST', `/api/admin/servers/${healthy.id}/terminate`],
        ['POST', `/api/admin/servers/${healthy.id}/power`],
      ] as const) {
        const r = await owner.browser.request(method, path, {
          body: method === 'POST' ? { confirmHostname: healthy.hostname, action: 'poweroff' } : undefined,
        });
        expect({ path, status: r.status }).toEqual({ path, status: 403 });
      }
      expect((await row(healthy.id)).status).toBe('active');
    });
  });

  it('admin actions: power and reset-password on any server, recorded as admin:<id>; terminate needs the typed hostname', async () => {
    const s = await aServer();
    const p = await admin.request('POST', `/api/admin/servers/${s.id}/power`, {
      body: { action: 'poweroff' },
    });
    expect(p.status).toBe(202);
    expect((await actions(s.id))[0]!.actor).toMatch(/^admin:\d+$/);
    expect((await admin.request('GET', `/api/admin/servers/${s.id}`)).body).toMatchObject({
      action: { kind: 'poweroff', actor: expect.stringMatching(/^admin:\d+$/) },
    });
    const pw = await admin.request('POST', `/api/admin/servers/${s.id}/reset-password`, { body: {} });
    expect(pw.status).toBe(200);
    expect((pw.body as { password: string }).password).toBe(vf.stateOf(s.vfId).rootPassword);

    const wrong = await admin.request('POST', `/api/admin/servers/${s.id}/terminate`, {
      body: { confirmHostname: 'nope' },
    });
    expect(wrong.status).toBe(422);
    expect(errorOf(wrong.body).code).toBe('confirmation_mismatch');
    expect(vf.servers.some((v) => v.id === s.vfId)).toBe(true);
    const done = await admin.request('POST', `/api/admin/servers/${s.id}/terminate`, {
      body: { confirmHostname: s.hostname },
    });
    expect(done.status).toBe(200);
    expect((done.body as { server: { status: string } }).server.status).toBe('terminated');
    expect(vf.servers.some((v) => v.id === s.vfId)).toBe(false);
    const r = await owner.browser.request('POST', `/api/servers/${s.id}/power`, {
      body: { action: 'start' },
    });
    expect({ status: r.status, code: errorOf(r.body).code }).toEqual({
      status: 409,
      code: 'server_not_ready',
    });
  });

  it('ozvpsctl servers power, reinstall, cancel [--undo] and terminate: --yes where destructive, --json, the audit line', async () => {
    const s = await aServer();
    const badAction = await cli('servers', 'power', String(s.id), 'reboot');
    expect(badAction.code).toBe(2);
    expect(badAction.stderr).toMatch(/start, shutdown, restart, poweroff/);
    const power = await cli('servers', 'power', String(s.id), 'restart', '--json');
    expect(power.code).toBe(0);
    expect(JSON.parse(power.stdout)).toMatchObject({
      action: { kind: 'restart', status: 'running', actor: `cli:${SUDO_USER}` },
    });
    expect(power.stderr).toMatch(
      new RegExp(
        `audit .*actor=cli:${SUDO_USER} action=servers\\.power\\.restart user=${owner.id} server=${s.id}`,
      ),
    );

    const unconfirmed = await cli('servers', 'reinstall', String(s.id), '--template', '44');
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toMatch(/erases the disk.*--yes/);
    const key = (
      await owner.browser.request('POST', '/api/ssh-keys', {
        body: { name: 'cli', publicKey: anSshKey('ed25519').publicKey },
      })
    ).body as { id: number };
    const reinstall = await cli(
      'servers',
      'reinstall',
      String(s.id),
      '--template',
      '44',
      '--ssh-key',
      String(key.id),
      '--yes',
    );
    expect(reinstall.code).toBe(0);
    expect(reinstall.stdout).toMatch(/action=servers\.reinstall .*template=44 ssh_keys=/);
    const theirs = (
      await other.browser.request('POST', '/api/ssh-keys', {
        body: { name: 'x', publicKey: anSshKey('ed25519').publicKey },
      })
    ).body as { id: number };
    await owner.browser.request('GET', `/api/servers/${s.id}/state`);
    const foreign = await cli(
      'servers',
      'reinstall',
      String(s.id),
      '--template',
      '44',
      '--ssh-key',
      String(theirs.id),
      '--yes',
    );
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toMatch(/No SSH key/);

    const cancel = await cli('servers', 'cancel', String(s.id));
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toMatch(/will not be renewed/);
    expect((await cli('servers', 'show', String(s.id))).stdout).toMatch(
      /cancelled:\s+at the end of the paid period/,
    );
    expect((await ds.query(`SELECT cancel_at_period_end AS c FROM servers WHERE id = $1`, [s.id]))[0].c).toBe(
      true,
    );
    const undo = await cli('servers', 'cancel', String(s.id), '--undo', '--json');
    expect(undo.code).toBe(0);
    expect(JSON.parse(undo.stdout)).toMatchObject({ server: { id: s.id, cancelAtPeriodEnd: false } });

    const noYes = await cli('servers', 'terminate', String(s.id));
    expect(noYes.code).toBe(2);
    expect(vf.servers.some((v) => v.id === s.vfId)).toBe(true);
    const terminated = await cli('servers', 'terminate', String(s.id), '--yes');
    expect(terminated.code).toBe(0);
    expect(terminated.stdout).toMatch(/action=servers\.terminate .*status=terminated/);
    expect(vf.servers.some((v) => v.id === s.vfId)).toBe(false);
    expect((await cli('servers', 'power', 'x1', 'start')).code).toBe(2);
    expect((await cli('servers', 'power', '999999', 'start')).code).toBe(1);
  });

  it('the ledger invariant holds after all of the above (ozvpsctl wallet verify)', async () => {
    const r = await cli('wallet', 'verify');
    expect(r.code).toBe(0);
  });
});
