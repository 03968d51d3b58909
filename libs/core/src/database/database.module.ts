import {
  DynamicModule,
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  OnApplicationShutdown,
} from '@nestjs/common';
import { DataSource, MixedList, EntitySchema, Migration } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { DatabaseStartupError } from '../errors';
import { EmbeddedDatabase, openEmbeddedPostgres } from './embedded-postgres';
import { createDataSource } from './data-source';
import { pendingMigrations, runMigrations } from './migrate';
import { objectsOwnedBy, roleOfUrl } from './roles';

export interface DatabaseModuleOptions {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  /** Tables the panel's role may only INSERT into and SELECT from (the ledger and other logs). */
  appendOnlyTables?: readonly string[];
}

const EMBEDDED = Symbol('EMBEDDED_DATABASE');
const OPTIONS = Symbol('DATABASE_MODULE_OPTIONS');

export interface MigrationOutcome {
  applied: Migration[];
  /**
   * False when the panel's own role owns the schema (no owner role). True when migrations ran as
   * the owner role, or when no owner URL is set and the panel's role owns nothing (nothing pending).
   */
  ledgerProtected: boolean;
}

/**
 * Runs migrations as the owner role (DATABASE_OWNER_URL, or the embedded database's owner) on a
 * connection of its own that is closed straight after, then grants the panel's role what it may
 * do. Without an owner role, migrations run on the panel's own connection, as before.
 */
@Injectable()
export class DatabaseMigrator {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EMBEDDED) private readonly embedded: EmbeddedDatabase | undefined,
    @Inject(OPTIONS) private readonly options: DatabaseModuleOptions,
  ) {}

  /** Applies pending migrations and (with an owner role) the runtime role's grants. */
  async migrate(): Promise<MigrationOutcome> {
    const runtimeUrl = this.config.databaseUrl ?? this.embedded!.url;
    const ownerUrl = this.config.databaseUrl ? this.config.databaseOwnerUrl : this.embedded!.ownerUrl;
    if (!ownerUrl) return this.migrateWithoutOwner();

    const role = roleOfUrl(runtimeUrl);
    if (!role)
      throw new DatabaseStartupError(
        'DATABASE_URL names no user: with DATABASE_OWNER_URL set, name the panel role in DATABASE_URL',
      );
    const owner = createDataSource(ownerUrl, this.options);
    await owner.initialize().catch((err: Error) => {
      throw new DatabaseStartupError(`Cannot connect to PostgreSQL at DATABASE_OWNER_URL: ${err.message}`);
    });
    try {
      const applied = await runMigrations(owner, {
        role,
        appendOnlyTables: this.options.appendOnlyTables ?? [],
      });
      return { applied, ledgerProtected: true };
    } finally {
      await owner.destroy();
    }
  }

  /**
   * No owner URL in this process. The installer and Docker keep it away from the panel on purpose
   * (whoever controls the panel process must not get the owner role), so a runtime role that owns
   * nothing and cannot CREATE is the protected layout: nothing to do if the schema is up to date,
   * and a clear refusal if it is not (this role could not apply a migration anyway). A role that
   * owns the schema or may create in it is a hand-configured single-role database: migrate as it.
   */
  private async migrateWithoutOwner(): Promise<MigrationOutcome> {
    const [me] = (await this.dataSource.query(
      `SELECT current_user AS name, has_schema_privilege('public', 'CREATE') AS can_create,
              (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser`,
    )) as { name: string; can_create: boolean; superuser: boolean }[];
    const owned = await objectsOwnedBy(this.dataSource, me.name);
    if (me.superuser || me.can_create || owned.length)
      return { applied: await runMigrations(this.dataSource), ledgerProtected: false };
    const pending = await pendingMigrations(this.dataSource);
    if (pending.length)
      throw new DatabaseStartupError(
        `${pending.length} migration(s) are pending (${pending.join(', ')}) and the panel's role "${me.name}" owns nothing, ` +
          'so it cannot apply them: run `ozvpsctl db migrate` with DATABASE_OWNER_URL (the installer does this).',
      );
    return { applied: [], ledgerProtected: true };
  }
}

/**
 * Where the panel's database is, for tools that connect on their own (pg_dump): the owner role's
 * URL when this process has one (DATABASE_OWNER_URL, or the embedded database's owner), else the
 * panel's. Never logged: it carries a password.
 */
@Injectable()
export class DatabaseUrls {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EMBEDDED) private readonly embedded: EmbeddedDatabase | undefined,
  ) {}

  /** The most privileged URL this process holds, and which role it is. */
  strongest(): { url: string; ownerRole: boolean } {
    const owner = this.config.databaseUrl ? this.config.databaseOwnerUrl : this.embedded!.ownerUrl;
    return owner
      ? { url: owner, ownerRole: true }
      : { url: this.config.databaseUrl ?? this.embedded!.url, ownerRole: false };
  }
}

/**
 * Provides the one TypeORM DataSource: on DATABASE_URL when set, otherwise on the embedded
 * PostgreSQL under OZVPS_DATA_DIR. Migrations are not run here; each app decides when.
 */
@Global()
@Module({})
export class DatabaseModule implements OnApplicationShutdown {
  private readonly logger = new Logger('Database');

  constructor(
    private readonly dataSource: DataSource,
    @Inject(EMBEDDED) private readonly embedded: EmbeddedDatabase | undefined,
  ) {}

  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        { provide: OPTIONS, useValue: options },
        DatabaseMigrator,
        DatabaseUrls,
        {
          provide: EMBEDDED,
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) =>
            config.databaseUrl
              ? undefined
              : openEmbeddedPostgres(config.dataDir, config.embeddedPgPort, (line) =>
                  new Logger('Database').log(line),
                ),
        },
        {
          provide: DataSource,
          inject: [APP_CONFIG, EMBEDDED],
          useFactory: async (config: AppConfig, embedded: EmbeddedDatabase | undefined) => {
            const url = config.databaseUrl ?? embedded!.url;
            const dataSource = createDataSource(url, options);
            await dataSource.initialize().catch((err: Error) => {
              throw new DatabaseStartupError(
                `Cannot connect to PostgreSQL${config.databaseUrl ? ' at DATABASE_URL' : ''}: ${err.message}`,
              );
            });
            return dataSource;
          },
        },
      ],
      exports: [DataSource, DatabaseMigrator, DatabaseUrls],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    if (this.embedded?.owned) {
      this.logger.log('Stopping the embedded PostgreSQL');
      await this.embedded.stop();
    }
  }
}
