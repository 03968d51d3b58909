import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** One finished dump in BACKUP_DIR. */
export interface BackupFile {
  readonly name: string;
  readonly path: string;
  /** When the dump was taken, from its name (UTC), not from the file system. */
  readonly takenAt: Date;
  readonly sizeBytes: number;
  readonly modifiedAt: Date;
}

// ozvps-20261123T213717Z.dump: a half-written dump has another name until it is complete.
const BACKUP_NAME = /^ozvps-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z\.dump$/;

/** The file name of a dump taken at `at`: `ozvps-<UTC yyyymmddTHHMMSSZ>.dump`. */
export function backupFileName(at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
  return `ozvps-${stamp}.dump`;
}

/** When the dump named `name` was taken, or undefined when the name is not a finished dump's. */
export function backupTakenAt(name: string): Date | undefined {
  const m = BACKUP_NAME.exec(name);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  const at = new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!));
  // Refuses 20261345T…: Date.UTC would quietly roll it into another date.
  return backupFileName(at) === name ? at : undefined;
}

/**
 * The finished dumps in `dir`, newest first. Anything else there (temp files of a dump under way,
 * an operator's notes) is ignored. A directory that does not exist holds no dumps.
 */
export function listBackups(dir: string): BackupFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const files: BackupFile[] = [];
  for (const name of names) {
    const takenAt = backupTakenAt(name);
    if (!takenAt) continue;
    const path = join(dir, name);
    let stat;
    try {
      stat = statSync(path);
    } catch {
      continue; // pruned between readdir and stat
    }
    if (!stat.isFile()) continue;
    files.push({ name, path, takenAt, sizeBytes: stat.size, modifiedAt: stat.mtime });
  }
  return files.sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime() || (a.name < b.name ? 1 : -1));
}

/** The dumps (of a newest-first list) older than `keepDays` at `now`; never the newest one. */
export function backupsToPrune(
  newestFirst: readonly BackupFile[],
  keepDays: number,
  now: Date,
): BackupFile[] {
  const cutoff = now.getTime() - keepDays * 24 * 60 * 60 * 1000;
  return newestFirst.slice(1).filter((f) => f.takenAt.getTime() < cutoff);
}
