import { Command, SubCommand } from 'nest-commander';
import { DataSource } from 'typeorm';
import { DatabaseMigrator, pendingMigrations } from '@ozvps/core';
import { GroupCommand, JsonOptions, OzvpsCommand } from './base.command';
import { printAudit, printJson, printText } from './output';

@SubCommand({
  name: 'migrate',
  description:
    'apply pending database migrations as the owner role (under an advisory lock), then grant the panel role',
})
export class DbMigrateCommand extends OzvpsCommand {
  protected readonly arity = 0;

  constructor(private readonly migrator: DatabaseMigrator) {
    super();
  }

  protected async execute(_: string[], options: JsonOptions): Promise<void> {
    const outcome = await this.migrator.migrate();
    const applied = outcome.applied.map((m) => m.name);
    if (!outcome.ledgerProtected)
      process.stderr.write(
        'warning: DATABASE_OWNER_URL is unset: migrations ran as the panel role, which owns the schema (README: Database roles)\n',
      );
    if (applied.length)
      printAudit({ action: 'db.migrate', user: '-', extra: `applied=${applied.join(',')}` }, !!options.json);
    if (options.json) return printJson({ applied });
    printText(
      applied.length ? `applied: ${applied.join(', ')}\n` : 'nothing to migrate: the schema is up to date\n',
    );
  }
}

@SubCommand({ name: 'status', description: 'list migrations not yet applied' })
export class DbStatusCommand extends OzvpsCommand {
  protected readonly arity = 0;

  constructor(private readonly dataSource: DataSource) {
    super();
  }

  protected async execute(_: string[], options: JsonOptions): Promise<void> {
    const pending = await pendingMigrations(this.dataSource);
    if (options.json) return printJson({ pending });
    printText(pending.length ? `pending: ${pending.join(', ')}\n` : 'up to date\n');
  }
}

@Command({ name: 'db', description: 'database schema', subCommands: [DbMigrateCommand, DbStatusCommand] })
export class DbCommand extends GroupCommand {}
