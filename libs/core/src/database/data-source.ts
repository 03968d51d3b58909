import { DataSource } from 'typeorm';
import type { DatabaseModuleOptions } from './database.module';

/** The one place that knows how the panel talks to PostgreSQL; apps, tests and benches share it. */
export function createDataSource(url: string, options: DatabaseModuleOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    migrationsRun: false,
    // Failed queries surface as errors to the caller; logging them here would print parameters (hashes, emails).
    logging: false,
    extra: { max: 10, connectionTimeoutMillis: 10_000, application_name: 'ozvps-panel' },
  });
}
