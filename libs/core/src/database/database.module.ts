import { DynamicModule, Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource, MixedList, EntitySchema } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { DatabaseStartupError } from '../errors';
import { EmbeddedDatabase, openEmbeddedPostgres } from './embedded-postgres';
import { createDataSource } from './data-source';

export interface DatabaseModuleOptions {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
}

const EMBEDDED = Symbol('EMBEDDED_DATABASE');

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
      exports: [DataSource],
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
