import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { DatabaseUrls } from '../database/database.module';
import { BackupFailedError, BackupsNotConfiguredError, PgDumpUnavailableError } from '../errors';
import { BackupFile, backupFileName, backupsToPrune, listBackups } from './backup-files';

export interface BackupOutcome {
  readonly file: BackupFile;
  /** Names of the dumps removed by the retention rule. */
  readonly pruned: readonly string[];
  /** `pg_dump (PostgreSQL) 18.1`, as it reports itself. */
  readonly pgDump: string;
  /** Dumped as the owner role (true) or as the panel's own role. */
  readonly asOwnerRole: boolean;
}

/** `ozvpsctl backup now|list`: pg_dump -Fc of the panel database into BACKUP_DIR, with retention. */
@Injectable()
export class BackupService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly urls: DatabaseUrls,
  ) {}

  /** BACKUP_DIR and BACKUP_KEEP_DAYS, or a clear refusal when backups are not configured. */
  settings(): { dir: string; keepDays: number } {
    const { dir, keepDays } = this.config.backups;
    if (!dir)
      throw new BackupsNotConfiguredError(
        'BACKUP_DIR is not set: backups are not configured (set it to an absolute path in .env; the installer uses <dir>/backups)',
      );
    return { dir, keepDays };
  }

  /** The finished dumps, newest first. */
  list(): BackupFile[] {
    return listBackups(this.settings().dir);
  }

  /**
   * Dumps the database to a temporary name, renames it into place once pg_dump succeeded (so a
   * half-written dump never counts), then prunes by BACKUP_KEEP_DAYS, never the newest dump.
   */
  async now(options: { prune: boolean } = { prune: true }): Promise<BackupOutcome> {
    const { dir, keepDays } = this.settings();
    const { url, ownerRole } = this.urls.strongest();
    const env = pgEnvironment(url);
    const pgDump = await this.checkedPgDump(env);

    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const takenAt = new Date();
    const name = backupFileName(takenAt);
    const path = join(dir, name);
    if (existsSync(path)) throw new BackupFailedError(`${path} already exists: one dump per second at most`);
    const partial = join(dir, `.${name}.partial`);
    // Created here with mode 600 (pg_dump would honour the umask): a dump holds every password hash.
    const fd = openSync(partial, 'wx', 0o600);
    try {
      const { code, stderr } = await run('pg_dump', ['--format=custom', '--no-password'], env, fd);
      if (code !== 0)
        throw new BackupFailedError(`pg_dump failed (exit ${code}): ${lastLines(stderr) || 'no message'}`);
      fsyncSync(fd);
    } catch (err) {
      closeSync(fd);
      rmSync(partial, { force: true });
      throw err;
    }
    closeSync(fd);
    renameSync(partial, path);

    const all = listBackups(dir);
    const pruned: string[] = [];
    if (options.prune)
      for (const old of backupsToPrune(all, keepDays, takenAt)) {
        rmSync(old.path, { force: true });
        pruned.push(old.name);
      }
    const file = all.find((f) => f.name === name)!;
    return { file, pruned, pgDump, asOwnerRole: ownerRole };
  }

  /** pg_dump's version line, after checking it can dump this server (it cannot dump a newer one). */
  private async checkedPgDump(env: NodeJS.ProcessEnv): Promise<string> {
    const probe = spawnSync('pg_dump', ['--version'], { env, encoding: 'utf8' });
    if (probe.error || probe.status !== 0)
      throw new PgDumpUnavailableError(
        "pg_dump was not found on PATH: install the PostgreSQL client tools of the server's major version or newer (Debian: apt-get install postgresql-client)",
      );
    const line = probe.stdout.trim().split('\n')[0] ?? '';
    const clientMajor = Number(/(\d+)(?:\.\d+)?/.exec(line.replace(/^\D*/, ''))?.[1] ?? NaN);
    const [{ v }] = (await this.dataSource.query(
      `SELECT current_setting('server_version_num')::int AS v`,
    )) as { v: number }[];
    const serverMajor = Math.floor(v / 10000);
    if (!Number.isInteger(clientMajor))
      throw new PgDumpUnavailableError(`cannot tell pg_dump's version from "${line.slice(0, 80)}"`);
    if (clientMajor < serverMajor)
      throw new PgDumpUnavailableError(
        `pg_dump ${clientMajor} is older than the database server (PostgreSQL ${serverMajor}) and cannot dump it: ` +
          `install the PostgreSQL ${serverMajor} client tools (Debian: apt-get install postgresql-client-${serverMajor}) and put them first on PATH`,
      );
    return line;
  }
}

/**
 * libpq's environment for `url`: the password travels in PGPASSWORD (readable only by this user
 * and root), never on a command line where `ps` shows it. Any PG* variable of our own environment
 * is dropped so that it cannot point pg_dump at another database.
 */
export function pgEnvironment(url: string): NodeJS.ProcessEnv {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // The message never quotes the URL: it holds a password.
    throw new BackupFailedError(
      'the database URL cannot be split into host, port, user and database for pg_dump (write it as postgres://user:password@host:port/database)',
    );
  }
  const q = u.searchParams;
  const env: NodeJS.ProcessEnv = {};
  // Children inherit the rest (PATH, locale); this is not configuration, so it is not in AppConfig.
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('PG')) env[key] = value;
  env.PGHOST = q.get('host') ?? (decodeURIComponent(u.hostname).replace(/^\[(.*)\]$/, '$1') || 'localhost');
  env.PGPORT = u.port || q.get('port') || '5432';
  env.PGUSER = decodeURIComponent(u.username);
  env.PGDATABASE = decodeURIComponent(u.pathname.slice(1));
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password);
  const sslmode = q.get('sslmode');
  if (sslmode) env.PGSSLMODE = sslmode;
  env.PGCONNECT_TIMEOUT = '15';
  return env;
}

function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  stdoutFd: number,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', stdoutFd, 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' / ').slice(0, 500);
}
