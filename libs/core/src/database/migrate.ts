import { DataSource, Migration } from 'typeorm';
import { assertRuntimeRoleOwnsNothing, grantRuntimeRole } from './roles';

/** Arbitrary but fixed: every panel process agrees on it, so only one migrates at a time. */
export const MIGRATION_LOCK_KEY = 7_141_923_801;

/** The role the panel runs as, and the tables it may only append to. */
export interface RuntimeGrants {
  role: string;
  appendOnlyTables: readonly string[];
}

/**
 * Applies pending migrations under a session-level Postgres advisory lock, so several API
 * processes (or the installer and an API) starting together migrate once. Each migration runs
 * in its own transaction. With `grants`, the runtime role's privileges are then (re)applied under
 * the same lock, so concurrent starts never GRANT over each other.
 */
export async function runMigrations(dataSource: DataSource, grants?: RuntimeGrants): Promise<Migration[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      // Checked first as well: a migration's ALTER would fail less clearly on a table the runtime role owns.
      if (grants) await assertRuntimeRoleOwnsNothing(dataSource, grants.role);
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      if (grants) await grantRuntimeRole(dataSource, grants.role, grants.appendOnlyTables);
      return applied;
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}

/** Names of migrations that exist in code but are not yet applied. */
export async function pendingMigrations(dataSource: DataSource): Promise<string[]> {
  const applied = await dataSource
    .query(`SELECT name FROM schema_migrations`)
    .then((rows: { name: string }[]) => new Set(rows.map((r) => r.name)))
    .catch(() => new Set<string>());
  return dataSource.migrations.map((m) => m.name ?? m.constructor.name).filter((name) => !applied.has(name));
}

/**
 * SQL TypeORM would run to make the schema match the entities. Empty means entities and
 * migrations agree; CI fails otherwise.
 */
export async function schemaDrift(dataSource: DataSource): Promise<string[]> {
  const log = await dataSource.driver.createSchemaBuilder().log();
  return log.upQueries.map((q) => q.query);
}
