import { Command, SubCommand } from 'nest-commander';
import { DataSource } from 'typeorm';
import { pendingMigrations, runMigrations } from '@ozvps/core';
import { GroupCommand, JsonOptions, OzvpsCommand } from './base.command';
import { printAudit, printJson } from './output';

@SubCommand({ name: 'migrate', description: 'apply pending database migrations (under an advisory lock)' })
export class DbMigrateCommand extends OzvpsCommand {
  protected readonly arity = 0;

  constructor(private readonly dataSource: DataSource) {
    super();
  }

  protected async execute(_: string[], options: JsonOptions): Promise<void> {
    const applied = (await runMigrations(this.dataSource)).map((m) => m.name);
    if (applied.length)
      printAudit({ action: 'db.migrate', user: '-', extra: `applied=${applied.join(',')}` }, !!options.json);
    if (options.json) return printJson({ applied });
    process.stdout.write(
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
    process.stdout.write(pending.length ? `pending: ${pending.join(', ')}\n` : 'up to date\n');
  }
}

@Command({ name: 'db', description: 'database schema', subCommands: [DbMigrateCommand, DbStatusCommand] })
export class DbCommand extends GroupCommand {}
