import { QueryFailedError, TypeORMError } from 'typeorm';

/** Whether `err` is PostgreSQL refusing a duplicate on the named unique constraint or index. */
export function isUniqueViolation(err: unknown, constraint: string): boolean {
  if (!(err instanceof QueryFailedError)) return false;
  const driver = err.driverError as { code?: string; constraint?: string };
  return driver.code === '23505' && driver.constraint === constraint;
}

/** What pg and its pool say when PostgreSQL cannot be reached or a connection is lost. */
const CONNECTION_FAILURE =
  /timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error|connect ECONNREFUSED|ECONNRESET/i;

/**
 * Whether `err` came from the database (a failed query, a pool with no connection to give, a lost
 * connection) rather than from a remote API: callers must not report it as another system's.
 */
export function isDatabaseError(err: unknown): boolean {
  if (err instanceof TypeORMError) return true;
  if (!(err instanceof Error)) return false;
  const { code, severity } = err as { code?: unknown; severity?: unknown };
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && typeof severity === 'string') return true;
  return CONNECTION_FAILURE.test(err.message);
}
