import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplicationContext } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createDataSource, findFreePort, pendingMigrations, runMigrations } from '@ozvps/core';
import { SCHEMA } from '@ozvps/migrations';
import { WalletService } from '@ozvps/wallet';
import { aUser, aUserWithBalance } from './helpers/builders';
import { asPanelRole, createTestDatabase, openDataSource, TestDatabase, urlFor } from './helpers/database';
import { bootLibs } from './helpers/panel';
import { runNode, startApi, API_MAIN, CLI_MAIN } from './helpers/processes';

/** Runs `sql` on its own connection as `url`'s role and answers PostgreSQL's error message, or 'ok'. */
async function attempt(url: string, sql: string): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
    return 'ok';
  } catch (err) {
    return (err as Error).message;
  } finally {
    await client.end();
  }
}

/** The cluster as the previous version left it, running until `stop()`. */
async function startPreviousEmbedded(dataDir: string, port: number, password: string) {
  mkdirSync(dataDir, { recursive: true });
  const child = spawn(
    process.execPath,
    [join(__dirname, 'helpers', 'previous-embedded.mjs'), dataDir, String(port), password],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`the previous-version cluster exited with ${code}`)));
  });
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        child.removeAllListeners('exit');
        child.once('exit', () => resolve());
        child.stdin!.end();
      }),
  };
}

async function ownersOf(ds: DataSource): Promise<Record<string, string>> {
  const rows: { name: string; owner: string }[] = await ds.query(
    `SELECT c.relname AS name, pg_get_userbyid(c.relowner) AS owner FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'`,
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.owner]));
}

describe("the panel's database role owns nothing and cannot rewrite the ledger", () => {
  let db: TestDatabase;
  let panelUrl: string;
  let admin: DataSource;
  let app: INestApplicationContext;
  let walletId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    panelUrl = asPanelRole(db.url);
    admin = await openDataSource(db.url);
    // The real lib modules, connected as the panel's role, exactly as the API runs.
    app = await bootLibs(panelUrl);
    const user = await aUserWithBalance(app, 1_000);
    const [row] = (await admin.query(`SELECT id FROM wallets WHERE user_id = $1`, [user.id])) as {
      id: string;
    }[];
    walletId = row.id;
  });

  afterAll(async () => {
    await app?.close();
    await admin?.destroy();
    await db?.drop();
  });

  it('is refused UPDATE, DELETE and TRUNCATE on wallet_transactions by privilege, not only by the trigger', async () => {
    const denied = /^permission denied for table wallet_transactions$/;
    expect(await attempt(panelUrl, `UPDATE wallet_transactions SET amount_cents = 1000000`)).toMatch(denied);
    expect(await attempt(panelUrl, `DELETE FROM wallet_transactions`)).toMatch(denied);
    expect(await attempt(panelUrl, `TRUNCATE wallet_transactions`)).toMatch(denied);
  });

  it('cannot disable or drop the ledger trigger, replace its function, or alter the table', async () => {
    expect(
      await attempt(
        panelUrl,
        `ALTER TABLE wallet_transactions DISABLE TRIGGER wallet_transactions_no_update_delete`,
      ),
    ).toBe('must be owner of table wallet_transactions');
    expect(await attempt(panelUrl, `ALTER TABLE wallet_transactions DISABLE TRIGGER ALL`)).toBe(
      'must be owner of table wallet_transactions',
    );
    expect(
      await attempt(panelUrl, `DROP TRIGGER wallet_transactions_no_update_delete ON wallet_transactions`),
    ).toBe('must be owner of relation wallet_transactions');
    expect(
      await attempt(
        panelUrl,
        `CREATE OR REPLACE FUNCTION wallet_transactions_append_only() RETURNS trigger
         LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`,
      ),
    ).toBe('permission denied for schema public'); // refused before it even gets to ownership
    expect(await attempt(panelUrl, `DROP FUNCTION wallet_transactions_append_only() CASCADE`)).toBe(
      'must be owner of function wallet_transactions_append_only',
    );
    expect(
      await attempt(panelUrl, `ALTER FUNCTION wallet_transactions_append_only() OWNER TO CURRENT_USER`),
    ).toBe('must be owner of function wallet_transactions_append_only');
    expect(await attempt(panelUrl, `ALTER TABLE wallet_transactions ADD COLUMN note text`)).toBe(
      'must be owner of table wallet_transactions',
    );
    expect(await attempt(panelUrl, `ALTER TABLE wallets ALTER COLUMN balance_cents DROP NOT NULL`)).toBe(
      'must be owner of table wallets',
    );
    expect(await attempt(panelUrl, `CREATE TABLE shadow_ledger (id int)`)).toBe(
      'permission denied for schema public',
    );
    expect(await attempt(panelUrl, `ALTER ROLE CURRENT_USER SUPERUSER`)).toMatch(/permission denied/);

    // The trigger is still there and enabled, and nothing in the schema belongs to the panel's role.
    const [trigger] = (await admin.query(
      `SELECT tgenabled FROM pg_trigger WHERE tgname = 'wallet_transactions_no_update_delete'`,
    )) as { tgenabled: string }[];
    expect(trigger.tgenabled).toBe('O');
    const [fn] = (await admin.query(
      `SELECT prosrc FROM pg_proc WHERE proname = 'wallet_transactions_append_only'`,
    )) as { prosrc: string }[];
    expect(fn.prosrc).toContain('RAISE EXCEPTION');
    const panelRole = new URL(panelUrl).username;
    expect(Object.values(await ownersOf(admin))).not.toContain(panelRole);
  });

  it('cannot drop or disable the trigger that keeps the wallet totals, or replace its function', async () => {
    expect(
      await attempt(
        panelUrl,
        `ALTER TABLE wallet_transactions DISABLE TRIGGER wallet_transactions_keep_totals`,
      ),
    ).toBe('must be owner of table wallet_transactions');
    expect(
      await attempt(panelUrl, `DROP TRIGGER wallet_transactions_keep_totals ON wallet_transactions`),
    ).toBe('must be owner of relation wallet_transactions');
    expect(await attempt(panelUrl, `DROP FUNCTION wallet_transactions_keep_totals() CASCADE`)).toBe(
      'must be owner of function wallet_transactions_keep_totals',
    );
    expect(
      await attempt(
        panelUrl,
        `CREATE OR REPLACE FUNCTION wallet_transactions_keep_totals() RETURNS trigger
         LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$`,
      ),
    ).toBe('permission denied for schema public');
    const [trigger] = (await admin.query(
      `SELECT tgenabled FROM pg_trigger WHERE tgname = 'wallet_transactions_keep_totals'`,
    )) as { tgenabled: string }[];
    expect(trigger.tgenabled).toBe('O');
  });

  it("moves the totals for a ledger row inserted by plain SQL as the panel's role (the previous release's code)", async () => {
    const user = await aUserWithBalance(app, 100);
    const [{ id }] = (await admin.query(`SELECT id FROM wallets WHERE user_id = $1`, [user.id])) as {
      id: string;
    }[];
    // What the release before the kept totals does: the balance and a row, nothing else.
    expect(
      await attempt(
        panelUrl,
        `BEGIN;
         UPDATE wallets SET balance_cents = balance_cents + 900 WHERE id = ${id};
         INSERT INTO wallet_transactions (wallet_id, type, amount_cents, balance_after_cents, actor, reason)
         VALUES (${id}, 'topup', 900, 1000, 'old', 'old code');
         UPDATE wallets SET balance_cents = balance_cents - 400 WHERE id = ${id};
         INSERT INTO wallet_transactions (wallet_id, type, amount_cents, balance_after_cents, actor, reason)
         VALUES (${id}, 'server_charge', -400, 600, 'old', 'old code');
         COMMIT;`,
      ),
    ).toBe('ok');
    expect(
      await admin.query(
        `SELECT balance_cents::int AS balance, topped_up_cents::int AS topped_up, spent_cents::int AS spent
           FROM wallets WHERE id = $1`,
        [id],
      ),
    ).toEqual([{ balance: 600, topped_up: 900, spent: 400 }]);
    const report = await app.get(WalletService).verify();
    expect(report.drifted.filter((d) => d.userId === user.id)).toEqual([]);
  });

  it('may INSERT into and SELECT from the ledger, and the other append-only tables only that too', async () => {
    expect(
      await attempt(
        panelUrl,
        `BEGIN;
         INSERT INTO wallet_transactions (wallet_id, type, amount_cents, balance_after_cents, actor, reason)
         VALUES (${walletId}, 'admin_credit', 1, 1001, 'test', 'direct insert');
         UPDATE wallets SET balance_cents = 1001 WHERE id = ${walletId};
         COMMIT;`,
      ),
    ).toBe('ok');
    expect(await attempt(panelUrl, `SELECT count(*) FROM wallet_transactions`)).toBe('ok');
    for (const table of ['stripe_events', 'server_events']) {
      expect(await attempt(panelUrl, `SELECT count(*) FROM ${table}`)).toBe('ok');
      expect(await attempt(panelUrl, `UPDATE ${table} SET type = type`)).toBe(
        `permission denied for table ${table}`,
      );
      expect(await attempt(panelUrl, `DELETE FROM ${table}`)).toBe(`permission denied for table ${table}`);
    }
    // Ordinary tables are the panel's to change; the migration history is not.
    expect(await attempt(panelUrl, `UPDATE wallets SET updated_at = updated_at WHERE id = ${walletId}`)).toBe(
      'ok',
    );
    expect(await attempt(panelUrl, `DELETE FROM schema_migrations`)).toBe(
      'permission denied for table schema_migrations',
    );
    expect(await attempt(panelUrl, `TRUNCATE sessions`)).toBe('permission denied for table sessions');
  });

  it('may only INSERT into and SELECT from audit_events; UPDATE, DELETE and TRUNCATE are refused, to the owner too', async () => {
    expect(
      await attempt(
        panelUrl,
        `INSERT INTO audit_events (actor, action, target_type, target_id) VALUES ('cli:test', 'test.insert', 'user', '1')`,
      ),
    ).toBe('ok');
    expect(await attempt(panelUrl, `SELECT count(*) FROM audit_events`)).toBe('ok');
    const denied = 'permission denied for table audit_events';
    expect(await attempt(panelUrl, `UPDATE audit_events SET actor = 'someone else'`)).toBe(denied);
    expect(await attempt(panelUrl, `DELETE FROM audit_events`)).toBe(denied);
    expect(await attempt(panelUrl, `TRUNCATE audit_events`)).toBe(denied);
    // The owner role (migrations) meets the trigger: history is not rewritten by anyone.
    expect(await attempt(db.url, `UPDATE audit_events SET actor = 'someone else'`)).toMatch(
      /audit_events is append-only: UPDATE is not allowed/,
    );
    expect(await attempt(db.url, `DELETE FROM audit_events`)).toMatch(/append-only: DELETE/);
    expect(await attempt(db.url, `TRUNCATE audit_events`)).toMatch(/append-only: TRUNCATE/);
    expect(await admin.query(`SELECT actor FROM audit_events`)).toEqual([{ actor: 'cli:test' }]);
  });

  it('credits through the real WalletService as that role, concurrently, and the ledger adds up', async () => {
    const wallet = app.get(WalletService);
    const user = await aUser(app);
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        wallet.credit({
          userId: user.id,
          amountCents: 125,
          type: 'admin_credit',
          actor: 'test',
          reason: `c${i}`,
        }),
      ),
    );
    const [row] = (await admin.query(
      `SELECT w.balance_cents, (SELECT sum(amount_cents) FROM wallet_transactions t WHERE t.wallet_id = w.id) AS total,
              (SELECT count(*) FROM wallet_transactions t WHERE t.wallet_id = w.id)::int AS n
         FROM wallets w WHERE w.user_id = $1`,
      [user.id],
    )) as { balance_cents: string; total: string; n: number }[];
    expect(row).toEqual({ balance_cents: '1000', total: '1000', n: 8 });
    expect((await wallet.verify()).ok).toBe(true);
  });
});

describe('grants on every migrate', () => {
  let db: TestDatabase;
  let owner: DataSource;
  const appendOnly = SCHEMA.appendOnlyTables;

  beforeAll(async () => {
    db = await createTestDatabase();
    owner = await openDataSource(db.url);
  });

  afterAll(async () => {
    await owner?.destroy();
    await db?.drop();
  });

  it('grants a table a later migration adds, and keeps refusing what it refused', async () => {
    const panelUrl = asPanelRole(db.url);
    const role = new URL(panelUrl).username;
    await owner.query(`CREATE TABLE later_table (id int)`);
    expect(await attempt(panelUrl, `INSERT INTO later_table VALUES (1)`)).toBe(
      'permission denied for table later_table',
    );
    await runMigrations(owner, { role, appendOnlyTables: appendOnly });
    await runMigrations(owner, { role, appendOnlyTables: appendOnly }); // idempotent
    expect(await attempt(panelUrl, `INSERT INTO later_table VALUES (1)`)).toBe('ok');
    expect(await attempt(panelUrl, `TRUNCATE later_table`)).toBe('permission denied for table later_table');
    expect(await attempt(panelUrl, `DELETE FROM wallet_transactions`)).toBe(
      'permission denied for table wallet_transactions',
    );
  });

  it('refuses to run while the panel role owns anything, and when it is the owner role itself', async () => {
    const role = `ozvps_test_owner_${Date.now()}`;
    await owner.query(`CREATE ROLE ${role} NOLOGIN`);
    await owner.query(`CREATE TABLE owned_by_panel (id int)`);
    await owner.query(`ALTER TABLE owned_by_panel OWNER TO ${role}`);
    try {
      await expect(runMigrations(owner, { role, appendOnlyTables: appendOnly })).rejects.toThrow(
        new RegExp(
          `"${role}" \\(DATABASE_URL\\) owns 1 object\\(s\\) \\(relation public.owned_by_panel\\).*REASSIGN OWNED BY`,
        ),
      );
    } finally {
      await owner.query(`DROP TABLE owned_by_panel`);
      await owner.query(`DROP ROLE ${role}`);
    }
    const me = new URL(db.url).username;
    await expect(runMigrations(owner, { role: me, appendOnlyTables: appendOnly })).rejects.toThrow(
      /is also the owner role/,
    );
  });

  it('refuses a list of append-only tables that names a table that does not exist', async () => {
    const role = new URL(asPanelRole(db.url)).username;
    await expect(runMigrations(owner, { role, appendOnlyTables: ['wallet_transaction'] })).rejects.toThrow(
      /Append-only table\(s\) wallet_transaction do not exist/,
    );
  });
});

describe('the API and CLI migrate as the owner role', () => {
  it('migrates an empty database as DATABASE_OWNER_URL and then serves as the role that owns nothing', async () => {
    const db = await createTestDatabase({ empty: true });
    const port = await findFreePort();
    const api = await startApi({
      port,
      env: {
        DATABASE_URL: asPanelRole(db.url),
        DATABASE_OWNER_URL: db.url,
        OZVPS_ENV_FILE: '/dev/null',
        PORT: String(port),
        PATH: process.env.PATH,
      },
    });
    const ds = await openDataSource(db.url);
    try {
      expect((await fetch(`${api.baseUrl}/api/health`)).status).toBe(200);
      const owners = new Set(Object.values(await ownersOf(ds)));
      expect(owners).toEqual(new Set([new URL(db.url).username]));
      expect(api.output()).not.toMatch(/DATABASE_OWNER_URL is unset/);
      const sessions = (await ds.query(
        `SELECT DISTINCT usename FROM pg_stat_activity
          WHERE datname = $1 AND application_name = 'ozvps-panel' AND usename <> current_user`,
        [db.name],
      )) as { usename: string }[];
      expect(sessions).toEqual([{ usename: new URL(asPanelRole(db.url)).username }]);
    } finally {
      await api.stop();
      await ds.destroy();
      await db.drop();
    }
  });

  it('warns once at start, and the CLI on stderr, when there is no owner role', async () => {
    const db = await createTestDatabase({ empty: true });
    const port = await findFreePort();
    const env = { DATABASE_URL: db.url, OZVPS_ENV_FILE: '/dev/null', PATH: process.env.PATH };
    try {
      const migrate = await runNode(CLI_MAIN, ['db', 'migrate'], env);
      expect(migrate.code).toBe(0);
      expect(migrate.stderr).toMatch(/warning: DATABASE_OWNER_URL is unset/);
      const api = await startApi({ port, env: { ...env, PORT: String(port) } });
      await api.stop();
      expect(api.output().match(/DATABASE_OWNER_URL is unset/g)).toHaveLength(1);
      expect(api.output()).not.toContain(new URL(db.url).password);
    } finally {
      await db.drop();
    }
  });

  it('refuses to start, with one clear line, when the panel role owns part of the schema', async () => {
    const db = await createTestDatabase();
    const ds = await openDataSource(db.url);
    const panelRole = new URL(asPanelRole(db.url)).username;
    try {
      await ds.query(`ALTER TABLE plans OWNER TO ${panelRole}`);
      const r = await runNode(API_MAIN, [], {
        DATABASE_URL: asPanelRole(db.url),
        DATABASE_OWNER_URL: db.url,
        OZVPS_ENV_FILE: '/dev/null',
        PORT: String(await findFreePort()),
        PATH: process.env.PATH,
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /owns 1 object\(s\) \(relation public\.plans\), so it could disable the ledger's triggers/,
      );
      expect(r.stderr).not.toContain(new URL(db.url).password);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await ds.destroy();
      await db.drop();
    }
  });
});

describe('the API without an owner URL (the installer and Docker keep it from the panel)', () => {
  const env = (url: string, port: number) => ({
    DATABASE_URL: url,
    OZVPS_ENV_FILE: '/dev/null',
    PORT: String(port),
    PATH: process.env.PATH,
  });

  it('starts without the warning as a role that owns nothing when nothing is pending', async () => {
    const db = await createTestDatabase();
    const port = await findFreePort();
    try {
      const api = await startApi({ port, env: env(asPanelRole(db.url), port) });
      try {
        expect((await fetch(`${api.baseUrl}/api/health`)).status).toBe(200);
      } finally {
        await api.stop();
      }
      expect(api.output()).not.toMatch(/DATABASE_OWNER_URL is unset/);
    } finally {
      await db.drop();
    }
  });

  it('refuses to start, naming the fix, when a migration is pending and its role owns nothing', async () => {
    const db = await createTestDatabase();
    const ds = await openDataSource(db.url);
    try {
      const [last] = (await ds.query(
        `DELETE FROM schema_migrations WHERE id = (SELECT max(id) FROM schema_migrations) RETURNING name`,
      )) as [{ name: string }[], number];
      const pendingName = last[0].name;
      const r = await runNode(API_MAIN, [], env(asPanelRole(db.url), await findFreePort()));
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `1 migration(s) are pending (${pendingName}) and the panel's role "${new URL(asPanelRole(db.url)).username}" owns nothing`,
      );
      expect(r.stderr).toContain(
        'run `ozvpsctl db migrate` with DATABASE_OWNER_URL (the installer does this)',
      );
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stderr).not.toContain(new URL(asPanelRole(db.url)).password);
      // The CLI as that role says the same, and nothing was applied.
      const cli = await runNode(CLI_MAIN, ['db', 'migrate'], env(asPanelRole(db.url), 3000));
      expect(cli.code).not.toBe(0);
      expect(cli.stderr).toContain('run `ozvpsctl db migrate` with DATABASE_OWNER_URL');
      expect(await ds.query(`SELECT 1 FROM schema_migrations WHERE name = $1`, [pendingName])).toEqual([]);
    } finally {
      await ds.destroy();
      await db.drop();
    }
  });

  it('still migrates, with the warning, a single-role database whose role owns it', async () => {
    const db = await createTestDatabase({ empty: true });
    const role = `single_${db.name.slice(-12)}`;
    const password = randomBytes(12).toString('hex');
    const ds = await openDataSource(db.url);
    try {
      await ds.query(`CREATE ROLE ${role} LOGIN NOSUPERUSER PASSWORD '${password}'`);
      await ds.query(`ALTER DATABASE ${db.name} OWNER TO ${role}`);
      await ds.query(`ALTER SCHEMA public OWNER TO ${role}`);
      const u = new URL(db.url);
      u.username = role;
      u.password = password;
      const port = await findFreePort();
      const api = await startApi({ port, env: env(u.toString(), port) });
      await api.stop();
      expect(api.output().match(/DATABASE_OWNER_URL is unset/g)).toHaveLength(1);
      expect(api.output()).not.toContain(password);
      expect(new Set(Object.values(await ownersOf(ds)))).toEqual(new Set([role]));
      expect(await pendingMigrations(ds)).toEqual([]);
    } finally {
      await ds.destroy();
      await db.drop();
      const admin = new Client({ connectionString: urlFor('postgres') });
      await admin.connect();
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
      await admin.end();
    }
  });
});

describe('the embedded database', () => {
  it('upgrades a data dir from the previous version in place: owner role, panel role, balances intact', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'ozvps-roles-'));
    chmodSync(cwd, 0o755);
    const dataDir = join(cwd, '.data');
    const pgPort = await findFreePort();

    // The previous version: one superuser `ozvps` that owned every table, credentials without roles.
    const old = { user: 'ozvps', password: 'old-superuser-password-xyz', database: 'ozvps' };
    const previous = await startPreviousEmbedded(dataDir, pgPort, old.password);
    const oldUrl = `postgres://${old.user}:${old.password}@127.0.0.1:${pgPort}/${old.database}`;
    const ds = createDataSource(oldUrl, SCHEMA);
    await ds.initialize();
    await runMigrations(ds);
    const before = await bootLibs(oldUrl);
    const user = await aUserWithBalance(before, 4_200);
    await before.close();
    expect(new Set(Object.values(await ownersOf(ds)))).toEqual(new Set(['ozvps']));
    await ds.destroy();
    await previous.stop();

    const port = await findFreePort();
    const env = { OZVPS_EMBEDDED_PG_PORT: String(pgPort), PORT: String(port), PATH: process.env.PATH };
    const api = await startApi({ cwd, env, port });
    try {
      const credentials = JSON.parse(readFileSync(join(dataDir, 'embedded-pg.json'), 'utf8')) as {
        password: string;
        owner: { user: string; password: string };
        panel: { user: string; password: string };
      };
      expect(credentials.password).toBe(old.password); // never rotated
      expect(credentials.owner.user).toBe('ozvps_owner');
      expect(credentials.panel.user).toBe('ozvps_panel');
      expect(statSync(join(dataDir, 'embedded-pg.json')).mode & 0o777).toBe(0o600);
      expect(api.output()).not.toContain(credentials.owner.password);
      expect(api.output()).not.toContain(credentials.panel.password);

      const admin = createDataSource(oldUrl, SCHEMA);
      await admin.initialize();
      try {
        expect(new Set(Object.values(await ownersOf(admin)))).toEqual(new Set(['ozvps_owner']));
        const [dbOwner] = (await admin.query(
          `SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = 'ozvps'`,
        )) as { owner: string }[];
        expect(dbOwner.owner).toBe('ozvps_owner');
        // The API's connections are the panel role's only: the owner's was closed after migrating.
        const sessions = (await admin.query(
          `SELECT DISTINCT usename FROM pg_stat_activity
            WHERE application_name = 'ozvps-panel' AND usename <> current_user`,
        )) as { usename: string }[];
        expect(sessions).toEqual([{ usename: 'ozvps_panel' }]);
      } finally {
        await admin.destroy();
      }
      const panelUrl = `postgres://ozvps_panel:${credentials.panel.password}@127.0.0.1:${pgPort}/ozvps`;
      expect(await attempt(panelUrl, `DELETE FROM wallet_transactions`)).toBe(
        'permission denied for table wallet_transactions',
      );
      expect(await attempt(panelUrl, `ALTER TABLE wallet_transactions DISABLE TRIGGER ALL`)).toBe(
        'must be owner of table wallet_transactions',
      );

      // The balance from before the upgrade is intact, and the CLI (joining the API's cluster) still works.
      const shown = await runNode(CLI_MAIN, ['wallet', 'show', user.email, '--json'], env, cwd);
      expect(shown.code).toBe(0);
      expect(JSON.parse(shown.stdout)).toMatchObject({ balanceCents: 4_200 });
      const verify = await runNode(CLI_MAIN, ['wallet', 'verify'], env, cwd);
      expect(verify.code).toBe(0);
    } finally {
      await api.stop();
    }
  });
});
