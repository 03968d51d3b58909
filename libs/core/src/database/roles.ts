import { DataSource, EntityManager } from 'typeorm';
import { DatabaseStartupError } from '../errors';

/** The user name in a postgres:// URL (the role the connection logs in as). */
export function roleOfUrl(url: string): string {
  return decodeURIComponent(new URL(url).username);
}

/** SQL identifier quoting, for role and table names that come from configuration or the catalog. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * What the runtime role owns in the current database (and whether it owns the database itself).
 * With an owner role configured it must own nothing: an owner can disable or drop any trigger.
 */
export async function objectsOwnedBy(db: DataSource | EntityManager, role: string): Promise<string[]> {
  const rows: { what: string }[] = await db.query(
    `SELECT 'database ' || datname AS what FROM pg_database
      WHERE datname = current_database() AND datdba = (SELECT oid FROM pg_roles WHERE rolname = $1)
     UNION ALL
     SELECT 'schema ' || nspname FROM pg_namespace
      WHERE nspowner = (SELECT oid FROM pg_roles WHERE rolname = $1)
     UNION ALL
     SELECT 'relation ' || n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relowner = (SELECT oid FROM pg_roles WHERE rolname = $1)
        AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
        -- a table's identity sequence goes with the table: name the table only
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                          AND d.objid = c.oid AND d.deptype IN ('a', 'i'))
     UNION ALL
     SELECT 'function ' || p.oid::regprocedure::text FROM pg_proc p
      WHERE p.proowner = (SELECT oid FROM pg_roles WHERE rolname = $1)
     UNION ALL
     SELECT 'type ' || t.typname FROM pg_type t
      WHERE t.typowner = (SELECT oid FROM pg_roles WHERE rolname = $1) AND t.typtype IN ('e', 'd')
     ORDER BY 1`,
    [role],
  );
  return rows.map((r) => r.what);
}

/**
 * Refuses (with the SQL that fixes it) a runtime role that is the connection's own role, does not
 * exist, or owns anything here: an owner can disable or drop any trigger.
 */
export async function assertRuntimeRoleOwnsNothing(
  db: DataSource | EntityManager,
  role: string,
): Promise<void> {
  const [me] = (await db.query(`SELECT current_user AS name`)) as { name: string }[];
  if (me.name === role)
    throw new DatabaseStartupError(
      `The panel's role "${role}" (DATABASE_URL) is also the owner role (DATABASE_OWNER_URL): give the panel a role of its own.`,
    );
  const exists = (await db.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [role])) as unknown[];
  if (!exists.length)
    throw new DatabaseStartupError(`The panel's role "${role}" (the user in DATABASE_URL) does not exist.`);
  const owned = await objectsOwnedBy(db, role);
  if (owned.length)
    throw new DatabaseStartupError(
      `The panel's role "${role}" (DATABASE_URL) owns ${owned.length} object(s) (${owned.slice(0, 5).join(', ')}${owned.length > 5 ? ', …' : ''}), ` +
        `so it could disable the ledger's triggers. As a superuser, in this database run: ` +
        `REASSIGN OWNED BY ${quoteIdent(role)} TO <owner role>; ALTER DATABASE <database> OWNER TO <owner role>;`,
    );
}

/**
 * Gives the panel's runtime role exactly what it needs on the schema and nothing it could use to
 * rewrite history: SELECT/INSERT/UPDATE/DELETE on ordinary tables, only SELECT/INSERT on the
 * append-only ones, SELECT on schema_migrations, USAGE on sequences and the schema, no CREATE,
 * no TRUNCATE/TRIGGER/REFERENCES. Idempotent, in one transaction (the panel never sees a half-
 * granted schema), and run after every migrate so a table a later migration adds is covered too.
 * Must run as the schema's owner (or a superuser), which must not be `role`.
 */
export async function grantRuntimeRole(
  ds: DataSource,
  role: string,
  appendOnlyTables: readonly string[],
): Promise<void> {
  const r = quoteIdent(role);
  await ds.transaction(async (em) => {
    await assertRuntimeRoleOwnsNothing(em, role);

    const tables = (
      (await em.query(
        `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY 1`,
      )) as { name: string }[]
    ).map((t) => t.name);
    const missing = appendOnlyTables.filter((t) => !tables.includes(t));
    if (missing.length)
      throw new DatabaseStartupError(
        `Append-only table(s) ${missing.join(', ')} do not exist after migrating: the list of append-only tables is wrong.`,
      );

    await em.query(`GRANT CONNECT ON DATABASE ${quoteIdent(await currentDatabase(em))} TO ${r}`);
    await em.query(`GRANT USAGE ON SCHEMA public TO ${r}`);
    // PostgreSQL < 15 lets PUBLIC create in `public`; nobody but the owner should.
    await em.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
    await em.query(`REVOKE CREATE ON SCHEMA public FROM ${r}`);
    for (const table of tables) {
      const t = `public.${quoteIdent(table)}`;
      const allowed =
        table === 'schema_migrations'
          ? 'SELECT'
          : appendOnlyTables.includes(table)
            ? 'SELECT, INSERT'
            : 'SELECT, INSERT, UPDATE, DELETE';
      await em.query(`REVOKE ALL ON ${t} FROM ${r}`);
      await em.query(`GRANT ${allowed} ON ${t} TO ${r}`);
    }
    await em.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${r}`);
    await em.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${r}`);
  });
}

async function currentDatabase(em: EntityManager): Promise<string> {
  const [row] = (await em.query(`SELECT current_database() AS name`)) as { name: string }[];
  return row.name;
}
