import { chmodSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backupFileName } from '@ozvps/core';
import { createTestDatabase, TestDatabase } from './helpers/database';
import { ozvpsctl, RunResult } from './helpers/processes';

const DAY = 24 * 60 * 60 * 1000;

/**
 * A directory holding one `pg_dump` (the real one needs a client as new as the embedded server,
 * PostgreSQL 18, which Debian does not ship; the installer suite runs the real one). It answers
 * --version as `version` says, records its argv and libpq environment, then writes `body` as the
 * dump and exits with `exitCode`.
 */
function fakePgDump(version: string, options: { body?: string; exitCode?: number } = {}): string {
  const bin = mkdtempSync(join(tmpdir(), 'pg-dump-bin-'));
  const script = `#!/bin/sh
if [ "$1" = --version ]; then echo "pg_dump (PostgreSQL) ${version}"; exit 0; fi
printf '%s\\n' "$@" > "${bin}/argv"
env | grep '^PG' | sort > "${bin}/env"
printf '%s' '${options.body ?? 'PGDMP fake dump'}'
echo 'pg_dump: error: something went wrong' >&2
exit ${options.exitCode ?? 0}
`;
  writeFileSync(join(bin, 'pg_dump'), script);
  chmodSync(join(bin, 'pg_dump'), 0o755);
  return bin;
}

function backupDir(files: { daysAgo: number; partial?: boolean }[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), 'backups-'));
  for (const f of files) {
    const name = backupFileName(new Date(Date.now() - f.daysAgo * DAY));
    writeFileSync(join(dir, f.partial ? `.${name}.partial` : name), `dump from ${f.daysAgo} days ago`);
  }
  return dir;
}

describe('ozvpsctl backup', () => {
  let db: TestDatabase;
  let backup: (env: NodeJS.ProcessEnv, ...args: string[]) => Promise<RunResult>;

  beforeAll(async () => {
    db = await createTestDatabase();
    backup = (env, ...args) => ozvpsctl(db.url, ['backup', ...args], env);
  });

  afterAll(async () => {
    await db.drop();
  });

  it('refuses clearly when BACKUP_DIR is not set', async () => {
    for (const sub of ['list', 'now']) {
      const r = await backup({}, sub);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('BACKUP_DIR is not set: backups are not configured');
    }
    const relative = await backup({ BACKUP_DIR: 'backups' }, 'list');
    expect(relative.code).not.toBe(0);
    expect(relative.stderr).toContain('BACKUP_DIR must be an absolute path');
  });

  it('list shows finished dumps newest first, never a dump still being written', async () => {
    const dir = backupDir([{ daysAgo: 3 }, { daysAgo: 1 }, { daysAgo: 0, partial: true }, { daysAgo: 2 }]);
    writeFileSync(join(dir, 'notes.txt'), 'operator notes');
    const r = await backup({ BACKUP_DIR: dir, BACKUP_KEEP_DAYS: '7' }, 'list', '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.dir).toBe(dir);
    expect(json.keepDays).toBe(7);
    expect(json.backups).toHaveLength(3);
    expect(Object.keys(json.backups[0]).sort()).toEqual([
      'modifiedAt',
      'name',
      'path',
      'sizeBytes',
      'takenAt',
    ]);
    const taken = json.backups.map((b: { takenAt: string }) => Date.parse(b.takenAt));
    expect([...taken].sort((a, b) => b - a)).toEqual(taken);
    expect(json.backups[0].sizeBytes).toBe('dump from 1 days ago'.length);
    expect(json.backups[0].path).toBe(join(dir, json.backups[0].name));

    const text = await backup({ BACKUP_DIR: dir }, 'list');
    expect(text.code).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^TAKEN\s+SIZE\s+PATH$/);
    expect(lines).toHaveLength(4);
    expect(text.stdout).not.toContain('.partial');

    const empty = await backup({ BACKUP_DIR: join(dir, 'not-yet') }, 'list', '--json');
    expect(JSON.parse(empty.stdout).backups).toEqual([]);
  });

  it('now refuses when pg_dump is missing, writing nothing', async () => {
    const dir = backupDir([{ daysAgo: 30 }]);
    const before = readdirSync(dir);
    const bin = mkdtempSync(join(tmpdir(), 'empty-bin-'));
    const r = await backup({ BACKUP_DIR: dir, PATH: bin }, 'now');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('pg_dump was not found on PATH');
    expect(readdirSync(dir)).toEqual(before);
  });

  it('now refuses a pg_dump older than the server, naming both versions, writing nothing', async () => {
    const dir = backupDir([{ daysAgo: 30 }]);
    const before = readdirSync(dir);
    const bin = fakePgDump('15.8 (Debian 15.8-0+deb12u1)');
    const r = await backup({ BACKUP_DIR: dir, PATH: `${bin}:${process.env.PATH}` }, 'now');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/pg_dump 15 is older than the database server \(PostgreSQL \d+\)/);
    expect(r.stderr).toMatch(/apt-get install postgresql-client-\d+/);
    expect(readdirSync(dir)).toEqual(before);
    expect(readdirSync(bin)).toEqual(['pg_dump']);
  });

  it('now writes a mode-600 dump as the owner role, password only in the environment, and prunes old dumps but the newest', async () => {
    const dir = backupDir([{ daysAgo: 20 }, { daysAgo: 15 }, { daysAgo: 13 }, { daysAgo: 0.5 }]);
    const bin = fakePgDump('99.1');
    const r = await backup(
      { BACKUP_DIR: dir, BACKUP_KEEP_DAYS: '14', PATH: `${bin}:${process.env.PATH}` },
      'now',
      '--json',
    );
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.backup.name).toMatch(/^ozvps-\d{8}T\d{6}Z\.dump$/);
    expect(readFileSync(json.backup.path, 'utf8')).toBe('PGDMP fake dump');
    expect(statSync(json.backup.path).mode & 0o777).toBe(0o600);
    expect(json.pruned).toHaveLength(2);
    expect(json.asOwnerRole).toBe(true);
    expect(json.pgDump).toBe('pg_dump (PostgreSQL) 99.1');
    expect(r.stderr).toMatch(/backup\.now/);
    const left = readdirSync(dir).sort();
    expect(left).toHaveLength(3);
    expect(left).toContain(json.backup.name);
    for (const gone of json.pruned) expect(left).not.toContain(gone);

    const owner = new URL(db.url);
    const argv = readFileSync(join(bin, 'argv'), 'utf8');
    expect(argv.split('\n')).toContain('--format=custom');
    expect(argv).not.toContain(owner.password);
    expect(argv).not.toContain('postgres://');
    const env = readFileSync(join(bin, 'env'), 'utf8');
    expect(env).toContain(`PGUSER=${decodeURIComponent(owner.username)}`);
    expect(env).toContain(`PGDATABASE=${owner.pathname.slice(1)}`);
    expect(env).toContain(`PGPASSWORD=${decodeURIComponent(owner.password)}`);
    for (const text of [r.stdout, r.stderr]) expect(text).not.toContain(owner.password);
  });

  it('--no-prune keeps every older dump this time', async () => {
    const dir = backupDir([{ daysAgo: 40 }, { daysAgo: 30 }]);
    const bin = fakePgDump('99.1');
    const env = { BACKUP_DIR: dir, BACKUP_KEEP_DAYS: '1', PATH: `${bin}:${process.env.PATH}` };
    const kept = await backup(env, 'now', '--no-prune', '--json');
    expect(kept.code).toBe(0);
    expect(JSON.parse(kept.stdout).pruned).toEqual([]);
    expect(readdirSync(dir)).toHaveLength(3);
  });

  it('a failing pg_dump leaves no file, half-written or finished, and prunes nothing', async () => {
    const dir = backupDir([{ daysAgo: 30 }, { daysAgo: 20 }]);
    const before = readdirSync(dir).sort();
    const bin = fakePgDump('99.1', { body: 'PGDMP half', exitCode: 1 });
    const r = await backup({ BACKUP_DIR: dir, PATH: `${bin}:${process.env.PATH}` }, 'now');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('pg_dump failed (exit 1): pg_dump: error: something went wrong');
    expect(readdirSync(dir).sort()).toEqual(before);
  });
});
