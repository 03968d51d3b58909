import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '@ozvps/core';
import { API_MAIN, CLI_MAIN, runNode, RunningApi, startApi } from './helpers/processes';

function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ozvps-e2e-'));
  chmodSync(dir, 0o755);
  return dir;
}

/** SIGTERM, as systemd sends it: the API exits and takes its PostgreSQL down with it, cleanly. */
async function stopCleanly(api: RunningApi, cwd: string): Promise<void> {
  const code = await api.stop();
  expect([0, 143]).toContain(code); // 143 = 128 + SIGTERM, after the shutdown hooks ran
  expect(existsSync(join(cwd, '.data', 'pg', 'postmaster.pid'))).toBe(false); // PostgreSQL shut down cleanly
}

describe('the API on its embedded PostgreSQL', () => {
  it('starts on an empty OZVPS_DATA_DIR with no environment at all, and the CLI shares its database', async () => {
    const cwd = freshDir();
    // No variables at all: the defaults (port 3000, embedded PostgreSQL on 54329, ./.data) must do.
    const api = await startApi({ cwd, env: {}, port: 3000 });
    const output = api.output;
    try {
      const health = await fetch('http://127.0.0.1:3000/api/health');
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok', database: 'ok' });

      const version = (await (await fetch('http://127.0.0.1:3000/api/version')).json()) as { commit: string };
      const stamp = JSON.parse(
        readFileSync(join(API_MAIN, '..', '..', '..', '..', 'build-info.json'), 'utf8'),
      );
      expect(version).toEqual(stamp);
      expect(version.commit).toMatch(/^[0-9a-f]{40}(-dirty)?$|^unknown$/);

      const missing = await fetch('http://127.0.0.1:3000/api/no-such-thing');
      expect(missing.status).toBe(404);
      expect(await missing.json()).toEqual({
        error: { code: 'not_found', message: 'Cannot GET /api/no-such-thing' },
      });

      // The built web app: index.html is never cached, hashed assets are cached for a year.
      const page = await fetch('http://127.0.0.1:3000/wallet');
      expect(page.status).toBe(200);
      expect(page.headers.get('cache-control')).toBe('no-cache');
      const html = await page.text();
      expect(html).toContain('<div id="root"></div>');
      const asset = html.match(/src="(\/assets\/[^"]+\.js)"/)![1];
      const script = await fetch(`http://127.0.0.1:3000${asset}`);
      expect(script.status).toBe(200);
      expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');

      // The CLI, run from the same directory, joins the API's embedded PostgreSQL.
      const created = await runNode(CLI_MAIN, ['users', 'create', 'shared@example.test', '--json'], {}, cwd);
      expect(created.code).toBe(0);
      const credited = await runNode(
        CLI_MAIN,
        ['wallet', 'add', 'shared@example.test', '700', '--reason', 'e2e'],
        {},
        cwd,
      );
      expect(credited.code).toBe(0);
      // No credentials in the logs (route names such as /reset-password are not credentials).
      const logged = output().replace(/Mapped \{[^}]*\} route/g, '');
      expect(logged).not.toMatch(/password|ozvps:[^@\s]+@/i);

      const credentials = join(cwd, '.data', 'embedded-pg.json');
      expect(statSync(credentials).mode & 0o777).toBe(0o600);
    } finally {
      await stopCleanly(api, cwd);
    }

    // Data survives a restart; with the API stopped, the CLI starts the database for its own run.
    const shown = await runNode(CLI_MAIN, ['wallet', 'show', 'shared@example.test', '--json'], {}, cwd);
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ email: 'shared@example.test', balanceCents: 700 });
    const again = await startApi({ cwd, env: {}, port: 3000 });
    await stopCleanly(again, cwd);
  });

  it('refuses a busy embedded PostgreSQL port with a clear message', async () => {
    const cwd = freshDir();
    const port = await findFreePort();
    const blocker: Server = createServer().listen(port, '127.0.0.1');
    try {
      const r = await runNode(
        API_MAIN,
        [],
        { OZVPS_EMBEDDED_PG_PORT: String(port), PORT: String(await findFreePort()) },
        cwd,
      );
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `Port ${port} on 127.0.0.1, which the embedded PostgreSQL uses, is already in use`,
      );
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      blocker.close();
    }
  });

  it('refuses a half-initialised data directory and deletes nothing', async () => {
    const cwd = freshDir();
    mkdirSync(join(cwd, '.data', 'pg'), { recursive: true });
    writeFileSync(join(cwd, '.data', 'pg', 'precious.txt'), 'keep me');
    const r = await runNode(
      API_MAIN,
      [],
      { OZVPS_EMBEDDED_PG_PORT: String(await findFreePort()), PORT: String(await findFreePort()) },
      cwd,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/holds no PostgreSQL cluster \(no PG_VERSION\).*Nothing was deleted/);
    expect(readFileSync(join(cwd, '.data', 'pg', 'precious.txt'), 'utf8')).toBe('keep me');

    // A cluster whose set-up never finished (no credentials recorded) is refused as well.
    writeFileSync(join(cwd, '.data', 'pg', 'PG_VERSION'), '18\n');
    const r2 = await runNode(
      API_MAIN,
      [],
      { OZVPS_EMBEDDED_PG_PORT: String(await findFreePort()), PORT: String(await findFreePort()) },
      cwd,
    );
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/looks half-initialised.*Nothing was deleted/);
  });

  it('refuses a data directory it cannot create, naming OZVPS_DATA_DIR', async () => {
    const cwd = freshDir();
    writeFileSync(join(cwd, 'a-file'), '');
    const r = await runNode(API_MAIN, [], { OZVPS_DATA_DIR: join(cwd, 'a-file', 'data') }, cwd);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /The data directory .*a-file\/data \(OZVPS_DATA_DIR\) cannot be created or written: ENOTDIR/,
    );
  });

  it.each([
    ['PORT', 'eighty', /PORT must be a whole number/],
    ['PORT', '70000', /PORT must not be greater than 65535/],
    ['DATABASE_URL', 'mysql://x', /DATABASE_URL must be a postgres:\/\/ URL$/m],
    ['APP_URL', 'not a url', /APP_URL must be an http\(s\) URL/],
    ['NODE_ENV', 'staging', /NODE_ENV must be one of the following values/],
  ])('stops at start when %s=%s, naming the variable', async (name, value, message) => {
    const r = await runNode(API_MAIN, [], { [name]: value, OZVPS_ENV_FILE: '/dev/null' }, freshDir());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ozvps-panel failed to start: Invalid configuration:/);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toContain('mysql://x'); // DATABASE_URL may hold a password: never echoed
  });
});
