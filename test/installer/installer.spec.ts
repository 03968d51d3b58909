/**
 * The installer run for real on this machine: it installs Debian packages, starts PostgreSQL and
 * the panel, and writes under /opt and /etc. Run only through `npm run test:installer`, which
 * refuses unless the user is root and CI=true (or OZVPS_INSTALLER_TESTS=1).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { get as httpGet, IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const INSTALLER = join(ROOT, 'installer', 'ozvps-install.sh');
const DIR = '/opt/ozvps-panel-ci';
const ENV_FILE = join(DIR, '.env');
const OWNER_ENV_FILE = join(DIR, 'owner.env');
const UNIT = '/etc/systemd/system/ozvps-panel.service';
const BASE_URL = 'http://127.0.0.1:3000';
const TIMINGS = join(ROOT, '.tmp', 'installer-timings.json');
const CADDYFILE = '/etc/caddy/Caddyfile';
const STATE_FILE = join(DIR, 'installer.env');
const MARKER = '# Managed by ozvps-install.sh — rewritten by every run; edits here are lost.';

if (process.getuid?.() !== 0 || (process.env.CI !== 'true' && process.env.OZVPS_INSTALLER_TESTS !== '1')) {
  throw new Error(
    'the installer tests change this machine: run them with `npm run test:installer` as root in CI',
  );
}

function sh(script: string, input?: string): string {
  return execFileSync('bash', ['-c', script], { encoding: 'utf8', input, cwd: '/' });
}

function psql(sql: string, database = 'ozvps_panel'): string {
  return execFileSync(
    'runuser',
    [
      '-u',
      'postgres',
      '--',
      'psql',
      '-X',
      '-q',
      '-t',
      '-A',
      '-v',
      'ON_ERROR_STOP=1',
      '-d',
      database,
      '-c',
      sql,
    ],
    { encoding: 'utf8', cwd: '/' },
  ).trim();
}

/** `sql` as the panel's own role, over TCP with the password from .env: PostgreSQL's answer. */
function asPanelRole(sql: string): { status: number | null; out: string } {
  const url = new URL(envValue('DATABASE_URL'));
  const r = spawnSync(
    'psql',
    [
      '-X',
      '-q',
      '-t',
      '-A',
      '-v',
      'ON_ERROR_STOP=1',
      '-h',
      '127.0.0.1',
      '-U',
      url.username,
      '-d',
      'ozvps_panel',
      '-c',
      sql,
    ],
    { encoding: 'utf8', cwd: '/', env: { ...process.env, PGPASSWORD: decodeURIComponent(url.password) } },
  );
  return { status: r.status, out: `${r.stdout}${r.stderr}`.trim() };
}

/** Every table's owner, and the database's. */
function owners(): string[] {
  return psql(
    `SELECT DISTINCT pg_get_userbyid(relowner) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND relkind = 'r'
     UNION SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'ozvps_panel'`,
  ).split('\n');
}

/** The ledger, as the panel's role: appends only, its trigger out of reach. */
function expectLedgerProtected(): void {
  expect(asPanelRole('DELETE FROM wallet_transactions').out).toContain(
    'permission denied for table wallet_transactions',
  );
  expect(asPanelRole('UPDATE wallet_transactions SET amount_cents = 1').out).toContain(
    'permission denied for table wallet_transactions',
  );
  expect(asPanelRole('ALTER TABLE wallet_transactions DISABLE TRIGGER ALL').out).toContain(
    'must be owner of table wallet_transactions',
  );
  expect(
    asPanelRole('DROP TRIGGER wallet_transactions_no_update_delete ON wallet_transactions').out,
  ).toContain('must be owner of relation wallet_transactions');
  expect(asPanelRole('SELECT count(*) FROM wallet_transactions').status).toBe(0);
}

const rolePassword = () =>
  psql("SELECT rolpassword FROM pg_authid WHERE rolname = 'ozvps_panel_user'", 'postgres');

/**
 * The whole database as SQL, without the random restrict key newer pg_dump puts in each dump, and
 * without job_runs' rows: the running panel records its scheduled jobs there every minute, whatever
 * the installer does (that table's schema and grants are still compared).
 */
function dump(): string {
  return sh('runuser -u postgres -- pg_dump --no-owner --exclude-table-data=job_runs ozvps_panel')
    .replace(/^\\(un)?restrict \S+$/gm, '')
    .replace(/^SELECT pg_catalog\.setval\('public\.job_runs_id_seq'.*$/m, '');
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

function install(...args: string[]): Run {
  const started = process.hrtime.bigint();
  const result = spawnSync('bash', [INSTALLER, '--dir', DIR, ...args], {
    encoding: 'utf8',
    cwd: '/',
    // No certificate authority is reachable here: with --domain, Caddy's own local CA signs.
    env: { ...process.env, OZVPS_HEALTH_TIMEOUT: '60', OZVPS_CADDY_LOCAL_CERTS: '1' },
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, seconds };
}

function expectOk(run: Run): void {
  if (run.status !== 0) throw new Error(`installer exited ${run.status}\n${run.stdout}\n${run.stderr}`);
}

/** Reads one key from .env (or another dotenv file), as the installer wrote it. */
function envValue(key: string, file = ENV_FILE): string {
  const line = readFileSync(file, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${key}=`));
  if (!line) throw new Error(`${key} not in ${file}`);
  return line.slice(key.length + 1);
}

/**
 * The owner role's credentials stay out of the panel's reach: not in .env, not in the unit, not in
 * the running service's environment, and owner.env is root's alone. The reviewer's repro (as the
 * panel's OS user, load .env and disable the ledger trigger with DATABASE_OWNER_URL) fails.
 */
function expectOwnerOutOfPanelReach(): void {
  const ownerUrl = new URL(envValue('DATABASE_OWNER_URL', OWNER_ENV_FILE));
  expect(readFileSync(ENV_FILE, 'utf8')).not.toMatch(/DATABASE_OWNER_URL/);
  expect(readFileSync(ENV_FILE, 'utf8')).not.toContain(ownerUrl.password);
  const st = statSync(OWNER_ENV_FILE);
  expect([st.mode & 0o777, st.uid, st.gid]).toEqual([0o600, 0, 0]);
  const unit = readFileSync(UNIT, 'utf8');
  expect(unit).not.toMatch(/DATABASE_OWNER_URL|owner\.env/);
  const environ = readFileSync(`/proc/${servicePid()}/environ`, 'utf8');
  expect(environ.split('\0').some((v) => v.startsWith('OZVPS_ENV_FILE='))).toBe(true);
  expect(environ).not.toMatch(/DATABASE_OWNER_URL/);
  expect(environ).not.toContain(ownerUrl.password);
  const asService = (script: string) =>
    spawnSync('runuser', ['-u', 'ozvps', '--', 'bash', '-c', script], { encoding: 'utf8', cwd: '/' });
  expect(asService(`cat ${OWNER_ENV_FILE}`).status).not.toBe(0);
  const repro = asService(
    `set -a; . ${ENV_FILE}; psql "$DATABASE_OWNER_URL" -c "ALTER TABLE wallet_transactions DISABLE TRIGGER USER"`,
  );
  expect(repro.status).not.toBe(0);
  expect(
    psql(
      `SELECT count(*) FROM pg_trigger WHERE tgrelid = 'wallet_transactions'::regclass AND tgenabled = 'D'`,
    ),
  ).toBe('0');
}

function git(src: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=ci', '-c', 'user.email=ci@example.com', ...args], {
    cwd: src,
    encoding: 'utf8',
  }).trim();
}

/** A branch off `base` with one commit applying `edits` (path → new content from old). */
function commitBranch(
  src: string,
  branch: string,
  base: string,
  edits: Record<string, (old: string) => string>,
): string {
  git(src, 'checkout', '-q', '-B', branch, base);
  for (const [path, edit] of Object.entries(edits)) {
    const file = join(src, path);
    writeFileSync(file, edit(existsSync(file) ? readFileSync(file, 'utf8') : ''));
  }
  git(src, 'add', '-A');
  git(src, 'commit', '-q', '-m', branch);
  return git(src, 'rev-parse', 'HEAD');
}

function migration(className: string, sql: string): string {
  return `import { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  async up(q: QueryRunner): Promise<void> {
    await q.query(\`${sql}\`);
  }

  async down(): Promise<void> {}
}
`;
}

function addMigration(file: string, className: string): (old: string) => string {
  return (old) =>
    old
      .replace(/(\nexport const MIGRATIONS = \[)/, `\nimport { ${className} } from './${file}';$1`)
      .replace(/(\nexport const MIGRATIONS = \[[^\]]*)\];/, `$1  ${className},\n];`);
}

/** A fresh connection per request: the panel restarts between requests here. */
function get(path: string): Promise<{ status: number; body: string; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    httpGet(`${BASE_URL}${path}`, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    }).on('error', reject);
  });
}

async function servedCommit(): Promise<string> {
  const health = await get('/api/health');
  expect(health.status).toBe(200);
  return (JSON.parse((await get('/api/version')).body) as { commit: string }).commit;
}

function currentRelease(): string {
  return readlinkSync(join(DIR, 'current'));
}

function releases(): string[] {
  return readdirSync(join(DIR, 'releases')).sort();
}

function backups(): string[] {
  return readdirSync(join(DIR, 'backups')).sort();
}

function servicePid(): string {
  return readFileSync(join(DIR, 'run', 'ozvps-panel.pid'), 'utf8').trim();
}

function balances(): string {
  return psql('SELECT user_id, balance_cents, currency FROM wallets ORDER BY user_id');
}

function stopPanel(): void {
  sh(`
    for pid_file in ${DIR}/run/ozvps-panel.pid ${DIR}/run/caddy.pid; do
      if [ -f "$pid_file" ]; then start-stop-daemon --stop --quiet --pidfile "$pid_file" --retry TERM/30/KILL/5 --oknodo || true; fi
    done
  `);
}

interface CurlAnswer {
  status: number;
  location: string;
  headers: string;
  body: string;
}

/** A request to `url` through Caddy on this machine, its name resolved to 127.0.0.1 (no DNS here). */
function curl(url: string, ...args: string[]): CurlAnswer {
  const { hostname, port, protocol } = new URL(url);
  const p = port || (protocol === 'https:' ? '443' : '80');
  const out = execFileSync(
    'curl',
    ['-sS', '-k', '--max-time', '10', '--resolve', `${hostname}:${p}:127.0.0.1`, '-D', '-', ...args, url],
    { encoding: 'utf8' },
  );
  const [head, ...rest] = out.split('\r\n\r\n');
  const status = Number(/^HTTP\/[\d.]+ (\d+)/.exec(head)?.[1] ?? 0);
  const location = /^location: (.*)$/im.exec(head)?.[1]?.trim() ?? '';
  return { status, location, headers: head, body: rest.join('\r\n\r\n') };
}

function caddyPid(): string {
  return readFileSync(join(DIR, 'run', 'caddy.pid'), 'utf8').trim();
}

function packageInstalled(name: string): boolean {
  return /^.i/.test(sh(`dpkg-query -W -f='\${db:Status-Abbrev}' ${name} 2>/dev/null || true`));
}

const timings: Record<string, number> = {};
let src = '';
let c1 = '';
let c2 = '';

beforeAll(() => {
  // Start from a machine without PostgreSQL and without an earlier test install.
  stopPanel();
  sh(`
    set -e
    rm -rf ${DIR} ${UNIT} /usr/local/bin/ozvpsctl /etc/cron.d/ozvps-backup /usr/local/sbin/ozvps-restore
    if command -v pg_lsclusters >/dev/null; then
      pg_lsclusters --no-header | while read -r ver name _; do pg_ctlcluster "$ver" "$name" stop --force || true; done
    fi
    pkgs=$(dpkg-query -W -f='\${db:Status-Abbrev} \${Package}\\n' 'postgresql*' 2>/dev/null | awk '$1 ~ /^.i/ {print $2}')
    if [ -n "$pkgs" ]; then DEBIAN_FRONTEND=noninteractive apt-get purge -y -q $pkgs >/dev/null; fi
    rm -rf /var/lib/postgresql /etc/postgresql /etc/postgresql-common /var/log/postgresql
    if dpkg-query -W -f='\${db:Status-Abbrev}' caddy 2>/dev/null | grep -q '^.i'; then
      DEBIAN_FRONTEND=noninteractive apt-get purge -y -q caddy >/dev/null
    fi
    rm -rf /etc/caddy
    if id -u ozvps >/dev/null 2>&1; then userdel ozvps; fi
    if ! command -v systemd-analyze >/dev/null; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends systemd >/dev/null
    fi
  `);
  if (sh('ss -ltnH "sport = :3000"').trim())
    throw new Error('port 3000 is taken: the test install serves there');
  if (sh('ss -ltnH "( sport = :80 or sport = :443 )"').trim())
    throw new Error('port 80 or 443 is taken: the --domain tests run Caddy there');

  // The source: this working tree as one commit (what CI checked out, or what a developer has).
  src = mkdtempSync(join(tmpdir(), 'ozvps-installer-src-'));
  sh(`cd ${ROOT} && git ls-files -z -co --exclude-standard | tar --null -T - -cf - | tar -x -C ${src}`);
  git(src, 'init', '-q', '-b', 'main');
  git(src, 'add', '-A');
  git(src, 'commit', '-q', '-m', 'base');
  c1 = git(src, 'rev-parse', 'HEAD');
  c2 = commitBranch(src, 'upgrade', c1, {
    'migrations/1799000000000-installer-probe.ts': () =>
      migration(
        'InstallerProbe1799000000000',
        'CREATE TABLE IF NOT EXISTS installer_probe (id int PRIMARY KEY)',
      ),
    'migrations/index.ts': addMigration('1799000000000-installer-probe', 'InstallerProbe1799000000000'),
  });
  git(src, 'checkout', '-q', 'main');
});

afterAll(() => {
  stopPanel();
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  writeFileSync(TIMINGS, JSON.stringify(timings, null, 2) + '\n');
  process.stdout.write(`installer wall times (s): ${JSON.stringify(timings)}\n`);
  if (src) rmSync(src, { recursive: true, force: true });
});

describe('ozvps-install.sh on this machine', () => {
  it('is shellcheck-clean', () => {
    if (!existsSync('/usr/bin/shellcheck'))
      sh(
        'DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends shellcheck >/dev/null',
      );
    expect(spawnSync('shellcheck', [INSTALLER], { encoding: 'utf8' }).stdout).toBe('');
  });

  it('first run: installs PostgreSQL, creates the database and role, builds, migrates, starts; prints no secret', async () => {
    expect(sh(`dpkg-query -W -f='\${db:Status-Abbrev}' postgresql 2>/dev/null || true`)).not.toMatch(/^.i/);

    const run = install('--source', src);
    timings.firstRun = Math.round(run.seconds);
    expectOk(run);

    expect(sh(`dpkg-query -W -f='\${db:Status-Abbrev}' postgresql`)).toMatch(/^ii/);
    expect(rolePassword()).toMatch(/^SCRAM-SHA-256\$/);
    expect(statSync(ENV_FILE).mode & 0o777).toBe(0o600);
    const url = new URL(envValue('DATABASE_URL'));
    expect(url.username).toBe('ozvps_panel_user');
    expect(url.pathname).toBe('/ozvps_panel');
    expect(url.password).toMatch(/^[0-9a-f]{64}$/);
    const ownerUrl = new URL(envValue('DATABASE_OWNER_URL', OWNER_ENV_FILE));
    expect(ownerUrl.username).toBe('ozvps_owner');
    expect(ownerUrl.pathname).toBe('/ozvps_panel');
    expect(ownerUrl.password).toMatch(/^[0-9a-f]{64}$/);
    for (const text of [run.stdout, run.stderr]) {
      for (const secret of [url.password, ownerUrl.password]) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain(secret.slice(0, 12));
      }
    }

    expect(currentRelease()).toBe(`releases/0.1.0-${c1.slice(0, 12)}`);
    expect(lstatSync(join(DIR, 'current')).isSymbolicLink()).toBe(true);
    expect(await servedCommit()).toBe(c1);
    const index = await get('/');
    expect(index.body).toContain(`content="0.1.0 ${c1}"`);
    expect(index.headers['cache-control']).toContain('no-cache');
    expect(psql('SELECT count(*) FROM schema_migrations')).not.toBe('0');
    expect(owners()).toEqual(['ozvps_owner']);
    expectLedgerProtected();
    expectOwnerOutOfPanelReach();

    // systemd is not PID 1 here: the unit is checked by systemd itself, against the release it runs.
    const unit = readFileSync(UNIT, 'utf8');
    expect(unit).toMatch(
      new RegExp(`^ExecStart=/\\S+/node ${DIR}/current/dist/apps/api/src/main\\.js$`, 'm'),
    );
    const check = spawnSync('systemd-analyze', ['verify', UNIT], { encoding: 'utf8' });
    expect(`${check.status} ${check.stderr}`).toBe('0 ');

    // Data for the runs that follow to keep.
    sh(
      'ozvpsctl users create alice@example.com --password-stdin >/dev/null',
      'correct horse battery staple\n',
    );
    sh('ozvpsctl wallet add alice@example.com 2500 --reason "installer test" >/dev/null');
    expect(balances()).toMatch(/\|2500\|aud$/);
  });

  it('the installed ozvpsctl records the operator who ran it in the audit trail, not the service user', () => {
    // `sudo ozvpsctl …` as alice sets SUDO_USER=alice; root with no sudo behind it is root.
    sh('env SUDO_USER=alice ozvpsctl wallet add alice@example.com 100 --reason "operator test" >/dev/null');
    sh(
      'env -u SUDO_USER ozvpsctl wallet deduct alice@example.com 100 --reason "operator test" --yes >/dev/null',
    );
    expect(psql(`SELECT actor || ' ' || action FROM audit_events ORDER BY id DESC LIMIT 2`)).toBe(
      'cli:root wallet.deduct\ncli:alice wallet.credit',
    );
    expect(
      psql(
        `SELECT string_agg(actor, ',' ORDER BY id) FROM wallet_transactions WHERE reason = 'operator test'`,
      ),
    ).toBe('cli:alice,cli:root');
    expect(JSON.parse(sh('env SUDO_USER=alice ozvpsctl audit --actor alice --json'))).toEqual([
      expect.objectContaining({ actor: 'cli:alice', action: 'wallet.credit', targetType: 'user' }),
    ]);
    expect(balances()).toMatch(/\|2500\|aud$/);
  });

  it('second run on the same commit: no rebuild, no restart, .env, data and password unchanged', async () => {
    const before = {
      dump: dump(),
      env: readFileSync(ENV_FILE),
      password: rolePassword(),
      releases: releases(),
      built: statSync(join(DIR, currentRelease(), '.ozvps-release')).mtimeMs,
      pid: servicePid(),
      unit: readFileSync(UNIT, 'utf8'),
    };

    const run = install('--source', src);
    timings.sameCommitRun = Math.round(run.seconds * 10) / 10;
    expectOk(run);

    expect(run.stdout).toContain('is already deployed');
    expect(run.stdout).toContain('no restart');
    expect(dump()).toBe(before.dump);
    expect(readFileSync(ENV_FILE).equals(before.env)).toBe(true);
    expect(rolePassword()).toBe(before.password);
    expect(releases()).toEqual(before.releases);
    expect(statSync(join(DIR, currentRelease(), '.ozvps-release')).mtimeMs).toBe(before.built);
    expect(servicePid()).toBe(before.pid);
    expect(readFileSync(UNIT, 'utf8')).toBe(before.unit);
    expect(await servedCommit()).toBe(c1);
  });

  it('a tarball made by git archive is known by its commit: same commit, nothing to do', async () => {
    const tarball = join(src, '..', `ozvps-${c1.slice(0, 12)}.tar.gz`);
    git(src, 'archive', '--format=tar.gz', `--prefix=ozvps-panel/`, '-o', tarball, c1);
    const before = dump();
    const run = install('--source', tarball);
    rmSync(tarball);
    expectOk(run);
    expect(run.stdout).toContain('is already deployed');
    expect(dump()).toBe(before);
    expect(await servedCommit()).toBe(c1);
  });

  it('an install from before the roles were split is upgraded in place: balances, password and service kept, ledger protected', async () => {
    // The previous version's state: ozvps_panel_user owned the database and every table, no owner role.
    psql(`ALTER DATABASE ozvps_panel OWNER TO ozvps_panel_user`);
    psql(`REASSIGN OWNED BY ozvps_owner TO ozvps_panel_user`);
    psql(`DROP OWNED BY ozvps_owner`);
    psql(`DROP ROLE ozvps_owner`, 'postgres');
    rmSync(OWNER_ENV_FILE);
    expect(owners()).toEqual(['ozvps_panel_user']);
    const before = { password: rolePassword(), balances: balances(), pid: servicePid() };
    const ledgerBefore = psql('SELECT count(*) FROM wallet_transactions');

    const run = install('--source', src);
    expectOk(run);

    expect(run.stdout).toContain('upgraded in place: ozvps_owner now owns ozvps_panel and its tables');
    const ownerUrl = new URL(envValue('DATABASE_OWNER_URL', OWNER_ENV_FILE));
    expect(ownerUrl.username).toBe('ozvps_owner');
    for (const text of [run.stdout, run.stderr]) expect(text).not.toContain(ownerUrl.password.slice(0, 12));
    expect(owners()).toEqual(['ozvps_owner']);
    expect(rolePassword()).toBe(before.password);
    expect(balances()).toBe(before.balances);
    expect(psql('SELECT count(*) FROM wallet_transactions')).toBe(ledgerBefore);
    expectLedgerProtected();
    expectOwnerOutOfPanelReach();
    // The running panel was never stopped and still serves, now with the runtime grants only.
    expect(servicePid()).toBe(before.pid);
    expect(await servedCommit()).toBe(c1);
    expect(JSON.parse(sh('ozvpsctl wallet show alice@example.com --json'))).toMatchObject({
      balanceCents: 2500,
    });

    // Run again: nothing left to upgrade.
    const again = install('--source', src);
    expectOk(again);
    expect(again.stdout).toContain('ozvps_panel_user owns nothing in ozvps_panel');
    // A restart (what the next release does) comes up as the role that owns nothing, without the
    // owner URL, and still serves: nothing is pending.
    sh(`start-stop-daemon --stop --quiet --pidfile ${DIR}/run/ozvps-panel.pid --retry TERM/30/KILL/5`);
    const restarted = install('--source', src);
    expectOk(restarted);
    expect(restarted.stdout).toContain('was not running: started');
    expect(await servedCommit()).toBe(c1);
    expectOwnerOutOfPanelReach();
    expect(readFileSync(join(DIR, 'logs', 'ozvps-panel.log'), 'utf8')).not.toMatch(
      /DATABASE_OWNER_URL is unset/,
    );
  });

  it('an owner URL found in .env is neither used nor removed, only warned about', () => {
    const env = readFileSync(ENV_FILE, 'utf8');
    const ownerEnv = readFileSync(OWNER_ENV_FILE);
    writeFileSync(
      ENV_FILE,
      `${env}DATABASE_OWNER_URL=postgresql://someone:elsewhere@127.0.0.1:5432/ozvps_panel\n`,
    );
    try {
      const run = install('--source', src);
      expectOk(run);
      expect(run.stderr).toContain(
        `warning: ${ENV_FILE} has DATABASE_OWNER_URL: the panel process can read it and could alter the ledger.`,
      );
      expect(run.stderr).not.toContain('elsewhere');
      expect(readFileSync(OWNER_ENV_FILE).equals(ownerEnv)).toBe(true);
      expect(readFileSync(ENV_FILE, 'utf8')).toContain('DATABASE_OWNER_URL=postgresql://someone:');
    } finally {
      writeFileSync(ENV_FILE, env);
    }
  });

  it('upgrade: new release, backup, migration applied, balances and the custom .env kept', async () => {
    // An operator's own lines and comments, and a default key they removed.
    const edited =
      readFileSync(ENV_FILE, 'utf8')
        .split('\n')
        .filter((l) => !l.startsWith('LOG_LEVEL='))
        .join('\n') + "# operator's note: keep me\nCUSTOM_FLAG='yes' # inline comment\n\n";
    writeFileSync(ENV_FILE, edited);
    const balancesBefore = balances();
    const ledgerBefore = psql('SELECT count(*) FROM wallet_transactions');
    const backupsBefore = backups();

    const run = install('--source', src, '--ref', 'upgrade');
    timings.upgradeRun = Math.round(run.seconds);
    expectOk(run);

    const env = readFileSync(ENV_FILE, 'utf8');
    expect(env.startsWith(edited)).toBe(true);
    expect(env.slice(edited.length)).toMatch(
      /^# added by ozvps-install on \d{4}-\d{2}-\d{2}\nLOG_LEVEL=log\n$/,
    );
    expect(statSync(ENV_FILE).mode & 0o777).toBe(0o600);

    expect(currentRelease()).toBe(`releases/0.1.0-${c2.slice(0, 12)}`);
    expect(releases()).toEqual([`0.1.0-${c1.slice(0, 12)}`, `0.1.0-${c2.slice(0, 12)}`].sort());
    const newBackups = backups().filter((b) => !backupsBefore.includes(b));
    expect(newBackups).toEqual([
      expect.stringMatching(
        new RegExp(`^ozvps_panel-\\d{8}T\\d{6}Z-before-0\\.1\\.0-${c2.slice(0, 12)}\\.dump$`),
      ),
    ]);
    expect(statSync(join(DIR, 'backups', newBackups[0])).size).toBeGreaterThan(1000);
    expect(psql("SELECT count(*) FROM schema_migrations WHERE name = 'InstallerProbe1799000000000'")).toBe(
      '1',
    );
    expect(psql("SELECT to_regclass('installer_probe') IS NOT NULL")).toBe('t');
    // The new migration's table belongs to the owner role; the panel's role got its grants.
    expect(owners()).toEqual(['ozvps_owner']);
    expect(asPanelRole('SELECT count(*) FROM installer_probe').out).toBe('0');
    // `sudo ozvpsctl db migrate` also migrates as the owner (from owner.env): it re-grants what only
    // the owner can, while the panel's own role is refused.
    psql('REVOKE SELECT ON installer_probe FROM ozvps_panel_user');
    expect(asPanelRole('SELECT count(*) FROM installer_probe').out).toContain('permission denied');
    expect(sh('ozvpsctl db migrate 2>&1')).toContain('nothing to migrate');
    expect(asPanelRole('SELECT count(*) FROM installer_probe').out).toBe('0');
    expect(balances()).toBe(balancesBefore);
    expect(psql('SELECT count(*) FROM wallet_transactions')).toBe(ledgerBefore);
    expect(await servedCommit()).toBe(c2);
    expect((await get('/')).body).toContain(`content="0.1.0 ${c2}"`);
  });

  describe('a failure at any step: non-zero exit, the previous release still serving, data intact', () => {
    let before: { dump: string; env: Buffer; current: string; releases: string[] };

    beforeEach(() => {
      before = { dump: dump(), env: readFileSync(ENV_FILE), current: currentRelease(), releases: releases() };
    });

    afterEach(async () => {
      expect(currentRelease()).toBe(before.current);
      expect(await servedCommit()).toBe(c2);
      expect(dump()).toBe(before.dump);
      expect(readFileSync(ENV_FILE).equals(before.env)).toBe(true);
      expect(readdirSync(join(DIR, 'releases')).filter((r) => r.startsWith('.'))).toEqual([]);
    });

    it('a source that does not exist', () => {
      const run = install('--source', '/nonexistent/ozvps-panel');
      expect(run.status).not.toBe(0);
      expect(run.stderr).toContain('--source /nonexistent/ozvps-panel does not exist');
      expect(releases()).toEqual(before.releases);
    });

    it('a ref that does not exist', () => {
      const run = install('--source', src, '--ref', 'no-such-branch');
      expect(run.status).not.toBe(0);
      expect(run.stderr).toContain('--ref no-such-branch is not a commit, branch or tag');
    });

    it('a build that fails', () => {
      commitBranch(src, 'broken-build', c2, {
        'apps/api/src/main.ts': (old) => `${old}\nexport const broken: number = 'not a number';\n`,
      });
      const run = install('--source', src, '--ref', 'broken-build');
      expect(run.status).not.toBe(0);
      expect(run.stderr).toContain('the build failed');
      expect(releases()).toEqual(before.releases);
    });

    it('a migration that fails (after its backup)', () => {
      const backupsBefore = backups();
      const broken = commitBranch(src, 'broken-migration', c2, {
        'migrations/1799000000001-installer-broken.ts': () =>
          migration('InstallerBroken1799000000001', 'INSERT INTO no_such_table_anywhere VALUES (1)'),
        'migrations/index.ts': addMigration('1799000000001-installer-broken', 'InstallerBroken1799000000001'),
      });
      const run = install('--source', src, '--ref', 'broken-migration');
      expect(run.status).not.toBe(0);
      expect(run.stderr).toContain('the migration failed (backup kept:');
      expect(backups().filter((b) => !backupsBefore.includes(b))).toEqual([
        expect.stringContaining(`before-0.1.0-${broken.slice(0, 12)}`),
      ]);
      expect(psql("SELECT count(*) FROM schema_migrations WHERE name = 'InstallerBroken1799000000001'")).toBe(
        '0',
      );
    });

    it('a release that never answers healthy is rolled back and removed', () => {
      const broken = commitBranch(src, 'broken-health', c2, {
        'apps/api/src/main.ts': (old) => `${old}\nprocess.exit(3);\n`,
      });
      const run = install('--source', src, '--ref', 'broken-health');
      expect(run.status).not.toBe(0);
      expect(run.stderr).toContain(`did not come up healthy on commit ${broken}`);
      expect(run.stderr).toContain(`rolled back: ${before.current} is serving and healthy`);
      expect(releases()).toEqual(before.releases);
    });
  });

  describe('--domain: Caddy in front, HTTPS with automatic certificates, the panel on loopback only', () => {
    const DOMAIN = 'panel.ozvps.test';
    const OTHER_DOMAIN = 'billing.ozvps.test';
    // The release serving now (the failure cases above left the source checked out elsewhere).
    const installC2 = (...args: string[]) => install('--source', src, '--ref', 'upgrade', ...args);
    const FOREIGN = 'example.org {\n\trespond "the operator\'s own site"\n}\n';

    it('refuses bad --domain and --email values with a reason, before changing anything', () => {
      const env = readFileSync(ENV_FILE);
      const cases: Array<[string[], string]> = [
        [['--domain', 'https://panel.example.com'], 'without a scheme'],
        [['--domain', 'panel.example.com/admin'], 'without a path'],
        [['--domain', 'panel.example.com:8443'], 'without a port'],
        [['--domain', '203.0.113.7'], 'an IP address cannot get a publicly trusted certificate'],
        [['--domain', '::1'], 'an IP address cannot get a publicly trusted certificate'],
        [['--domain', 'localhost'], 'localhost cannot get a publicly trusted certificate'],
        [['--domain', 'panel'], 'fully qualified name'],
        [['--domain', 'bad_name.example.com'], '"bad_name" is not a DNS label'],
        // The installer runs in / here, where b* and bi? match bin and boot: patterns, not files.
        [['--domain', 'b*.example.com'], '"b*" is not a DNS label'],
        [['--domain', 'bi?.example.com'], '"bi?" is not a DNS label'],
        [['--domain', 'panel.example.com..'], 'it has an empty label'],
        [['--domain', 'panel..example.com'], 'it has an empty label'],
        [['--domain', 'panel.example.com\n'], 'it holds a control character'],
        [['--domain', DOMAIN, '--email', 'ops@example.com\n'], 'it holds a control character'],
        [['--domain', DOMAIN, '--email', 'ops@exam\tple.com'], 'it holds a control character'],
        [['--domain', DOMAIN, '--email', 'ops at example.com'], '--email ops at example.com: it has no @'],
        [['--email', 'ops@example.com'], '--email is for the certificates of --domain'],
      ];
      for (const [args, reason] of cases) {
        const run = installC2(...args);
        expect([run.status, run.stderr]).toEqual([1, expect.stringContaining(reason)]);
      }
      expect(readFileSync(ENV_FILE).equals(env)).toBe(true);
      expect(existsSync(STATE_FILE)).toBe(false);
      expect(packageInstalled('caddy')).toBe(false);
    });

    it('refuses to overwrite a Caddyfile it did not write: non-zero exit, file untouched, nothing installed', async () => {
      const before = { env: readFileSync(ENV_FILE), pid: servicePid() };
      mkdirSync('/etc/caddy', { recursive: true });
      writeFileSync(CADDYFILE, FOREIGN);
      try {
        const run = installC2('--domain', DOMAIN);
        expect(run.status).toBe(1);
        expect(run.stderr).toContain(
          `${CADDYFILE} was not written by ozvps-install.sh and is not the caddy package's stock file: refusing to overwrite it (nothing changed)`,
        );
        expect(readFileSync(CADDYFILE, 'utf8')).toBe(FOREIGN);
        expect(packageInstalled('caddy')).toBe(false);
        expect(readFileSync(ENV_FILE).equals(before.env)).toBe(true);
        expect(existsSync(STATE_FILE)).toBe(false);
        expect(servicePid()).toBe(before.pid);
        expect(await servedCommit()).toBe(c2);
      } finally {
        rmSync('/etc/caddy', { recursive: true, force: true });
      }
    });

    it('installs Caddy and serves https://DOMAIN: HTTP redirected, compressed, secure cookies, panel on 127.0.0.1 only', async () => {
      const envBefore = readFileSync(ENV_FILE, 'utf8');
      const run = installC2('--domain', DOMAIN, '--email', 'ops@example.com');
      timings.domainRun = Math.round(run.seconds);
      expectOk(run);

      expect(packageInstalled('caddy')).toBe(true);
      const caddyfile = readFileSync(CADDYFILE, 'utf8');
      expect(caddyfile.split('\n')[0]).toBe(MARKER);
      expect(caddyfile).toContain('{\n\temail ops@example.com\n\tlocal_certs\n}\n');
      expect(caddyfile).toContain(`${DOMAIN} {\n\tencode zstd gzip\n\treverse_proxy 127.0.0.1:3000\n}\n`);
      expect(caddyfile).not.toMatch(/request_body|replace|rewrite/);

      const env = readFileSync(ENV_FILE, 'utf8');
      expect([envValue('HOST'), envValue('APP_URL'), envValue('TRUST_PROXY')]).toEqual([
        '127.0.0.1',
        `https://${DOMAIN}`,
        'loopback',
      ]);
      // Every other line as it was; HOST and APP_URL changed where they stood, TRUST_PROXY appended.
      const expected = envBefore
        .replace(/^HOST=.*$/m, 'HOST=127.0.0.1')
        .replace(/^APP_URL=.*$/m, `APP_URL=https://${DOMAIN}`);
      expect(env.startsWith(expected)).toBe(true);
      expect(env.slice(expected.length)).toMatch(
        /^# added by ozvps-install on \d{4}-\d{2}-\d{2}\nTRUST_PROXY=loopback\n$/,
      );
      expect(readFileSync(STATE_FILE, 'utf8')).toMatch(/^DOMAIN=panel\.ozvps\.test$/m);
      expect(run.stdout).toContain('.env changed: restarted');
      const dbPassword = new URL(envValue('DATABASE_URL')).password;
      expect(`${run.stdout}${run.stderr}`).not.toContain(dbPassword.slice(0, 12));

      const health = curl(`https://${DOMAIN}/api/health`);
      expect(health.status).toBe(200);
      expect(health.headers).toMatch(/^server: Caddy/im);
      expect(JSON.parse(curl(`https://${DOMAIN}/api/version`).body)).toMatchObject({ commit: c2 });
      const plain = curl(`http://${DOMAIN}/api/health`);
      expect([plain.status, plain.location]).toEqual([308, `https://${DOMAIN}/api/health`]);
      // Compressed by Caddy (zstd: the panel itself does not speak it).
      const index = curl(`https://${DOMAIN}/`);
      const asset = /\/assets\/[^"]+\.js/.exec(index.body)?.[0] ?? 'no script in index.html';
      expect(curl(`https://${DOMAIN}${asset}`, '-H', 'Accept-Encoding: zstd').headers).toMatch(
        /^content-encoding: zstd/im,
      );
      const login = curl(
        `https://${DOMAIN}/api/auth/login`,
        '-X',
        'POST',
        '-H',
        'Content-Type: application/json',
        '-H',
        `Origin: https://${DOMAIN}`,
        '--data',
        JSON.stringify({ email: 'alice@example.com', password: 'correct horse battery staple' }),
      );
      expect(login.status).toBe(200);
      expect(login.headers).toMatch(/^set-cookie: .*; Secure/im);

      // The panel listens on loopback only: another address of this machine is refused.
      expect(sh('ss -ltnH "sport = :3000"')).toMatch(/^LISTEN\s+\S+\s+\S+\s+127\.0\.0\.1:3000\s/);
      for (const address of sh('hostname -I').trim().split(/\s+/).filter(Boolean)) {
        const host = address.includes(':') ? `[${address}]` : address;
        const probe = spawnSync('curl', ['-sS', '--max-time', '5', `http://${host}:3000/api/health`], {
          encoding: 'utf8',
        });
        expect(probe.status).toBe(7); // could not connect
      }
    });

    it('a second run with the same --domain changes nothing: same Caddyfile, .env, panel and Caddy', async () => {
      const before = {
        caddyfile: statSync(CADDYFILE).mtimeMs,
        env: readFileSync(ENV_FILE),
        pid: servicePid(),
        caddy: caddyPid(),
      };
      const run = installC2('--domain', DOMAIN, '--email', 'ops@example.com');
      expectOk(run);
      expect(run.stdout).toContain(`${CADDYFILE} unchanged`);
      // Reloaded all the same (only Caddy knows what it has loaded): the same configuration, a no-op.
      expect(run.stdout).toContain('caddy reloaded (same configuration)');
      expect(run.stdout).toContain(`Caddy's loaded configuration serves ${DOMAIN}`);
      expect(statSync(CADDYFILE).mtimeMs).toBe(before.caddyfile);
      expect(readFileSync(ENV_FILE).equals(before.env)).toBe(true);
      expect([servicePid(), caddyPid()]).toEqual([before.pid, before.caddy]);
      expect(curl(`https://${DOMAIN}/api/health`).status).toBe(200);
    });

    it('a run without --domain keeps the remembered domain and e-mail: HTTPS is never turned off silently', () => {
      const before = { caddyfile: readFileSync(CADDYFILE, 'utf8'), env: readFileSync(ENV_FILE) };
      const run = installC2();
      expectOk(run);
      expect(run.stdout).toContain(
        `HTTPS front door: https://${DOMAIN} (certificate notices to ops@example.com), remembered`,
      );
      expect(readFileSync(CADDYFILE, 'utf8')).toBe(before.caddyfile);
      expect(readFileSync(ENV_FILE).equals(before.env)).toBe(true);
      expect(curl(`https://${DOMAIN}/api/health`).status).toBe(200);
    });

    it("replaces the caddy package's stock Caddyfile, and moves to a new --domain (Caddyfile, APP_URL, restart)", () => {
      // The package's own file, restored as dpkg ships it.
      rmSync(CADDYFILE);
      sh(
        `DEBIAN_FRONTEND=noninteractive apt-get install -y -q --reinstall -o Dpkg::Options::=--force-confmiss caddy >/dev/null`,
      );
      expect(readFileSync(CADDYFILE, 'utf8')).toMatch(/^:80 \{$/m);
      const before = { pid: servicePid(), caddy: caddyPid() };

      const run = installC2('--domain', OTHER_DOMAIN);
      expectOk(run);
      expect(run.stdout).toContain(`HTTPS front door: https://${OTHER_DOMAIN} (was https://${DOMAIN})`);
      const caddyfile = readFileSync(CADDYFILE, 'utf8');
      expect(caddyfile.split('\n')[0]).toBe(MARKER);
      expect(caddyfile).toContain(`${OTHER_DOMAIN} {`);
      expect(caddyfile).not.toContain(DOMAIN);
      expect(caddyfile).toContain('email ops@example.com');
      expect(envValue('APP_URL')).toBe(`https://${OTHER_DOMAIN}`);
      expect(servicePid()).not.toBe(before.pid);
      expect(caddyPid()).toBe(before.caddy);
      expect(run.stdout).toContain('caddy reloaded');
      expect(curl(`https://${OTHER_DOMAIN}/api/health`).status).toBe(200);
      expect(JSON.parse(curl(`https://${OTHER_DOMAIN}/api/version`).body)).toMatchObject({ commit: c2 });
    });

    it('finishes a domain change that a killed run left half done: Caddy is moved onto the new site, not left on the old one', () => {
      // What a run killed after writing the Caddyfile and before reloading Caddy leaves behind: the
      // new site's file on disk (byte for byte what the installer writes), the old site loaded.
      const current = readFileSync(CADDYFILE, 'utf8');
      expect(current).toContain(`${OTHER_DOMAIN} {`);
      writeFileSync(CADDYFILE, current.replaceAll(OTHER_DOMAIN, DOMAIN));
      expect(curl(`https://${OTHER_DOMAIN}/api/health`).status).toBe(200);
      const caddy = caddyPid();

      const run = installC2('--domain', DOMAIN);
      expectOk(run);
      expect(run.stdout).toContain(`${CADDYFILE} unchanged`);
      expect(run.stdout).toContain('caddy reloaded (same configuration)');
      expect(run.stdout).toContain(`Caddy's loaded configuration serves ${DOMAIN}`);
      expect(run.stdout).toContain(`https://${DOMAIN}/api/health ok through Caddy`);
      expect(caddyPid()).toBe(caddy);
      expect(envValue('APP_URL')).toBe(`https://${DOMAIN}`);
      expect(curl(`https://${DOMAIN}/api/health`).status).toBe(200);
      expect(JSON.parse(curl(`https://${DOMAIN}/api/version`).body)).toMatchObject({ commit: c2 });
    });

    it('refuses a managed Caddyfile the operator took over (marker removed): untouched, .env unchanged', () => {
      const taken = readFileSync(CADDYFILE, 'utf8').split('\n').slice(1).join('\n') + '# mine now\n';
      writeFileSync(CADDYFILE, taken);
      const env = readFileSync(ENV_FILE);
      const run = installC2('--domain', DOMAIN);
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('refusing to overwrite it (nothing changed)');
      expect(readFileSync(CADDYFILE, 'utf8')).toBe(taken);
      expect(readFileSync(ENV_FILE).equals(env)).toBe(true);
      expect(readFileSync(STATE_FILE, 'utf8')).toMatch(/^DOMAIN=panel\.ozvps\.test$/m);
    });
  });

  it('the ledger still balances after everything', () => {
    expect(sh('ozvpsctl wallet verify')).toMatch(
      /^ok: 1 wallet\(s\), every balance and total equals its ledger/,
    );
    expect(balances()).toMatch(/\|2500\|aud$/);
  });
});

/** Runs `command` through bash and reports its exit status and output instead of throwing. */
function shRun(command: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('bash', ['-c', command], { encoding: 'utf8', cwd: '/' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every wallet and every ledger row, as PostgreSQL stores them. */
function moneyState(): { wallets: string; ledger: string } {
  return {
    wallets: psql('SELECT user_id, balance_cents, currency FROM wallets ORDER BY user_id'),
    ledger: psql('SELECT * FROM wallet_transactions ORDER BY id'),
  };
}

const RESTORE = '/usr/local/sbin/ozvps-restore';
const BACKUP_CRON = '/etc/cron.d/ozvps-backup';

describe('backups: the nightly dump, ozvpsctl backup and ozvps-restore', () => {
  it('the installer set up BACKUP_DIR, the nightly job (cron without systemd) and the restore script; a re-run keeps them and BACKUP_KEEP_DAYS', async () => {
    expect(envValue('BACKUP_DIR')).toBe(join(DIR, 'backups'));
    expect(envValue('BACKUP_KEEP_DAYS')).toBe('14');
    const dir = statSync(join(DIR, 'backups'));
    const ozvpsGid = Number(sh('id -g ozvps').trim());
    expect([dir.mode & 0o777, dir.uid, dir.gid]).toEqual([0o750, 0, ozvpsGid]);
    expect(readFileSync(BACKUP_CRON, 'utf8')).toMatch(
      /^15 3 \* \* \* root \/usr\/local\/bin\/ozvpsctl backup now /m,
    );
    expect(statSync(RESTORE).mode & 0o777).toBe(0o700);
    expect(spawnSync('shellcheck', [RESTORE], { encoding: 'utf8' }).stdout).toBe('');

    // The operator keeps dumps longer; a re-run keeps that and rewrites nothing.
    writeFileSync(
      ENV_FILE,
      readFileSync(ENV_FILE, 'utf8').replace(/^BACKUP_KEEP_DAYS=14$/m, 'BACKUP_KEEP_DAYS=30'),
    );
    const before = {
      cron: statSync(BACKUP_CRON).mtimeMs,
      restore: statSync(RESTORE).mtimeMs,
      env: readFileSync(ENV_FILE, 'utf8'),
    };
    // After the whole suite the last --domain case leaves a Caddyfile the operator "took over",
    // which any run refuses to touch: put the managed one back so this run is an ordinary re-run.
    if (existsSync(CADDYFILE) && !readFileSync(CADDYFILE, 'utf8').startsWith(MARKER))
      writeFileSync(CADDYFILE, `${MARKER}\n${readFileSync(CADDYFILE, 'utf8').replace(/# mine now\n$/, '')}`);
    // The commit already serving (the upgrade's, after the whole suite): nothing else changes.
    const run = install('--source', src, '--ref', await servedCommit());
    expectOk(run);
    expect(readFileSync(ENV_FILE, 'utf8')).toBe(before.env);
    expect(envValue('BACKUP_KEEP_DAYS')).toBe('30');
    expect(statSync(BACKUP_CRON).mtimeMs).toBe(before.cron);
    expect(statSync(RESTORE).mtimeMs).toBe(before.restore);
    expect(run.stdout).toContain('nightly backup');
  });

  let taken = '';
  let state: { wallets: string; ledger: string };

  it('ozvpsctl backup now dumps as the owner role into BACKUP_DIR: root-only files the panel user can list but not read', () => {
    sh('ozvpsctl users create bob@example.com >/dev/null');
    sh('ozvpsctl wallet add bob@example.com 1234 --reason "backup test" >/dev/null');
    sh('ozvpsctl wallet add alice@example.com 100 --reason "backup test" >/dev/null');
    state = moneyState();

    const r = shRun('ozvpsctl backup now --json');
    if (r.status !== 0) throw new Error(`backup now exited ${r.status}\n${r.stdout}\n${r.stderr}`);
    const json = JSON.parse(r.stdout);
    taken = json.backup.path;
    expect(json.asOwnerRole).toBe(true);
    expect(json.backup.name).toMatch(/^ozvps-\d{8}T\d{6}Z\.dump$/);
    expect(taken).toBe(join(DIR, 'backups', json.backup.name));
    const st = statSync(taken);
    expect([st.mode & 0o777, st.uid]).toEqual([0o600, 0]);
    expect(sh(`pg_restore --list ${taken}`)).toContain('TABLE DATA public wallet_transactions');
    const secrets = [
      new URL(envValue('DATABASE_URL')).password,
      new URL(envValue('DATABASE_OWNER_URL', OWNER_ENV_FILE)).password,
    ];
    for (const secret of secrets) expect(r.stdout + r.stderr).not.toContain(secret);

    const listed = JSON.parse(sh('ozvpsctl backup list --json'));
    expect(listed.backups[0].path).toBe(taken);
    const asService = (script: string) =>
      spawnSync('runuser', ['-u', 'ozvps', '--', 'bash', '-c', script], { encoding: 'utf8', cwd: '/' });
    expect(asService(`ls ${join(DIR, 'backups')}`).stdout).toContain(json.backup.name);
    expect(asService(`cat ${taken}`).status).not.toBe(0);
    expect(asService(`rm -f ${taken}`).status).not.toBe(0);
    expect(existsSync(taken)).toBe(true);
  });

  it('ozvps-restore refuses without --yes and refuses a file that is not a dump, changing nothing', () => {
    sh('ozvpsctl wallet add bob@example.com 500 --reason "after the backup" >/dev/null');
    sh('ozvpsctl users create carol@example.com >/dev/null');
    const before = { dump: dump(), backups: backups(), pid: servicePid() };

    const noYes = shRun(`${RESTORE} ${taken}`);
    expect(noYes.status).toBe(2);
    expect(noYes.stderr).toContain('Run again with --yes');

    const junk = join(mkdtempSync(join(tmpdir(), 'not-a-dump-')), 'ozvps-20260101T000000Z.dump');
    writeFileSync(junk, 'not a dump');
    const bad = shRun(`${RESTORE} ${junk} --yes`);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('is not a pg_dump archive');

    expect(dump()).toBe(before.dump);
    expect(backups()).toEqual(before.backups);
    expect(servicePid()).toBe(before.pid);
  });

  it('a restore that fails part-way is rolled back whole: data as it was, panel serving again, non-zero exit', async () => {
    // A valid dump whose restore fails on its last statements: a grant to a role that is gone.
    const scratch = mkdtempSync(join(tmpdir(), 'scratch-dump-'));
    sh(`set -e
      runuser -u postgres -- createdb ozvps_scratch
      runuser -u postgres -- psql -X -q -d ozvps_scratch -c "CREATE ROLE ozvps_gone; CREATE TABLE t (id int); GRANT SELECT ON t TO ozvps_gone"
      runuser -u postgres -- pg_dump -Fc ozvps_scratch > ${scratch}/broken.dump
      runuser -u postgres -- dropdb ozvps_scratch
      runuser -u postgres -- psql -X -q -d postgres -c "DROP ROLE ozvps_gone"`);
    const before = { dump: dump(), backups: backups() };

    const r = shRun(`${RESTORE} ${scratch}/broken.dump --yes`);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('the restore failed and was rolled back');
    expect(dump()).toBe(before.dump);
    // The safety dump was taken first, and kept.
    expect(backups().filter((b) => !before.backups.includes(b))).toHaveLength(1);
    expect(await servedCommit()).toBeTruthy();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('ozvps-restore: safety dump, the dump restored, migrated, serving, verify ok; the same balances and ledger rows', async () => {
    const changed = moneyState();
    expect(changed).not.toEqual(state);
    const before = backups();

    const r = shRun(`${RESTORE} ${taken} --yes`);
    if (r.status !== 0) throw new Error(`ozvps-restore exited ${r.status}\n${r.stdout}\n${r.stderr}`);
    expect(r.stdout).toMatch(/^ok: \d+ wallet\(s\), every balance and total equals its ledger/m);

    expect(moneyState()).toEqual(state);
    expect(psql("SELECT count(*) FROM users WHERE email = 'carol@example.com'")).toBe('0');
    const safety = backups().filter((b) => !before.includes(b));
    expect(safety).toHaveLength(1);
    expect(sh(`pg_restore --data-only --table=users --file=- ${join(DIR, 'backups', safety[0]!)}`)).toContain(
      'carol@example.com',
    );
    expect(await servedCommit()).toBeTruthy();
    expect(owners()).toEqual(['ozvps_owner']);
    expectLedgerProtected();
    expect(sh('ozvpsctl wallet verify')).toMatch(/^ok: /);
    for (const secret of [new URL(envValue('DATABASE_OWNER_URL', OWNER_ENV_FILE)).password])
      expect(r.stdout + r.stderr).not.toContain(secret);
  });

  it('a restored dump whose wallets do not match their ledger makes ozvps-restore exit non-zero', () => {
    // Drift that only a hand edit can make (the panel never writes a balance without its row).
    psql(
      "UPDATE wallets SET balance_cents = balance_cents + 1 WHERE user_id = (SELECT id FROM users WHERE email = 'bob@example.com')",
    );
    const drifted = JSON.parse(sh('ozvpsctl backup now --json')).backup.path as string;
    psql(
      "UPDATE wallets SET balance_cents = balance_cents - 1 WHERE user_id = (SELECT id FROM users WHERE email = 'bob@example.com')",
    );
    const r = shRun(`${RESTORE} ${drifted} --yes`);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('wallet verify failed on the restored database');
    const safety = /the database before this restore is in (\S+)\)/.exec(r.stderr)?.[1];
    expect(safety).toBeDefined();

    // Back to the database before it: restored from the safety dump, verified.
    const back = shRun(`${RESTORE} ${safety} --yes`);
    if (back.status !== 0)
      throw new Error(`ozvps-restore exited ${back.status}\n${back.stdout}\n${back.stderr}`);
    expect(moneyState()).toEqual(state);
  });
});
