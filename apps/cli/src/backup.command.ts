import { Command, Option, SubCommand } from 'nest-commander';
import { BackupFile, BackupService } from '@ozvps/core';
import { GroupCommand, JsonOptions, OzvpsCommand } from './base.command';
import { printAudit, printFields, printJson, printTable } from './output';

/** The `--json` shape of one dump: a contract for scripts (and the restore script). */
function backupJson(f: BackupFile) {
  return {
    name: f.name,
    path: f.path,
    sizeBytes: f.sizeBytes,
    takenAt: f.takenAt.toISOString(),
    modifiedAt: f.modifiedAt.toISOString(),
  };
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let n = bytes / 1024;
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(1)} ${units[i]}`;
}

interface NowOptions extends JsonOptions {
  prune?: boolean;
}

@SubCommand({
  name: 'now',
  description:
    'dump the database (pg_dump -Fc) into BACKUP_DIR, then prune dumps older than BACKUP_KEEP_DAYS',
})
export class BackupNowCommand extends OzvpsCommand<NowOptions> {
  protected readonly arity = 0;

  constructor(private readonly backups: BackupService) {
    super();
  }

  protected async execute(_: string[], options: NowOptions): Promise<void> {
    const outcome = await this.backups.now({ prune: options.prune !== false });
    printAudit(
      {
        action: 'backup.now',
        user: '-',
        extra: `file=${outcome.file.name} pruned=${outcome.pruned.length}`,
      },
      !!options.json,
    );
    if (options.json)
      return printJson({
        backup: backupJson(outcome.file),
        pruned: outcome.pruned,
        pgDump: outcome.pgDump,
        asOwnerRole: outcome.asOwnerRole,
      });
    printFields([
      ['backup', outcome.file.path],
      ['size', size(outcome.file.sizeBytes)],
      ['pruned', outcome.pruned.length ? outcome.pruned.join(', ') : 'none'],
      ['pg_dump', outcome.pgDump],
      ['role', outcome.asOwnerRole ? 'owner (DATABASE_OWNER_URL)' : "the panel's (DATABASE_URL)"],
    ]);
  }

  @Option({
    flags: '--no-prune',
    description: 'keep every older dump this time (the restore script takes its safety dump so)',
  })
  parseNoPrune(): boolean {
    return false;
  }
}

@SubCommand({ name: 'list', description: 'the dumps in BACKUP_DIR, newest first' })
export class BackupListCommand extends OzvpsCommand {
  protected readonly arity = 0;

  constructor(private readonly backups: BackupService) {
    super();
  }

  protected async execute(_: string[], options: JsonOptions): Promise<void> {
    const { dir, keepDays } = this.backups.settings();
    const files = this.backups.list();
    if (options.json) return printJson({ dir, keepDays, backups: files.map(backupJson) });
    printTable(
      files.map((f) => ({
        taken: f.takenAt.toISOString().replace('.000Z', 'Z'),
        size: size(f.sizeBytes),
        path: f.path,
      })),
      ['taken', 'size', 'path'],
    );
  }
}

@Command({
  name: 'backup',
  description: 'database dumps: take one now, list them',
  subCommands: [BackupNowCommand, BackupListCommand],
})
export class BackupCommand extends GroupCommand {}
