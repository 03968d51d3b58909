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
import { runMigrations } from './migrate';
import { roleOfUrl } from './roles';

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
  /** False when there is no owner role: the panel's own role owns the schema. */
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
    if (!ownerUrl) return { applied: await runMigrations(this.dataSource), ledgerProtected: false };

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
      exports: [DataSource, DatabaseMigrator],
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
