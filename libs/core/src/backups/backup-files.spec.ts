import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backupFileName, backupsToPrune, backupTakenAt, listBackups } from './backup-files';

const DAY = 24 * 60 * 60 * 1000;

describe('backup files', () => {
  it('names a dump after the UTC second it was taken, and reads that back', () => {
    const at = new Date('2026-11-23T21:37:17.456Z');
    expect(backupFileName(at)).toBe('ozvps-20261123T213717Z.dump');
    expect(backupTakenAt('ozvps-20261123T213717Z.dump')).toEqual(new Date('2026-11-23T21:37:17Z'));
    for (const other of [
      'ozvps-20261123T213717Z.dump.tmp',
      '.ozvps-20261123T213717Z.dump.partial',
      'ozvps-20261345T213717Z.dump',
      'ozvps-20261123T213717.dump',
      'notes.txt',
    ])
      expect(backupTakenAt(other)).toBeUndefined();
  });

  it('lists finished dumps newest first with size and mtime, ignoring temp files and other entries', () => {
    const dir = mkdtempSync(join(tmpdir(), 'backups-'));
    writeFileSync(join(dir, 'ozvps-20261120T010000Z.dump'), 'aaa');
    writeFileSync(join(dir, 'ozvps-20261122T010000Z.dump'), 'bbbbb');
    writeFileSync(join(dir, 'ozvps-20261121T010000Z.dump'), '');
    utimesSync(join(dir, 'ozvps-20261122T010000Z.dump'), 1_700_000_000, 1_700_000_000);
    writeFileSync(join(dir, '.ozvps-20261123T010000Z.dump.partial'), 'half');
    writeFileSync(join(dir, 'README'), 'x');
    mkdirSync(join(dir, 'ozvps-20261124T010000Z.dump'));
    const list = listBackups(dir);
    expect(list.map((f) => [f.name, f.sizeBytes])).toEqual([
      ['ozvps-20261122T010000Z.dump', 5],
      ['ozvps-20261121T010000Z.dump', 0],
      ['ozvps-20261120T010000Z.dump', 3],
    ]);
    expect(list[0]!.path).toBe(join(dir, 'ozvps-20261122T010000Z.dump'));
    expect(list[0]!.modifiedAt.getTime()).toBe(1_700_000_000_000);
    expect(listBackups(join(dir, 'missing'))).toEqual([]);
  });

  it('prunes dumps older than the kept days, but never the newest one', () => {
    const now = new Date('2026-11-23T02:00:00Z');
    const file = (daysAgo: number) => {
      const takenAt = new Date(now.getTime() - daysAgo * DAY);
      return { name: backupFileName(takenAt), path: '', takenAt, sizeBytes: 1, modifiedAt: takenAt };
    };
    const list = [file(1), file(13.9), file(14.1), file(30)];
    expect(backupsToPrune(list, 14, now).map((f) => f.name)).toEqual([list[2]!.name, list[3]!.name]);
    // Every dump is old (backups stopped for a month): the newest stays.
    const old = [file(40), file(41)];
    expect(backupsToPrune(old, 14, now)).toEqual([old[1]]);
    expect(backupsToPrune([file(400)], 1, now)).toEqual([]);
    expect(backupsToPrune([], 14, now)).toEqual([]);
  });
});
