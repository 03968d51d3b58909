import { QueryFailedError } from 'typeorm';

/** Whether `err` is PostgreSQL refusing a duplicate on the named unique constraint or index. */
export function isUniqueViolation(err: unknown, constraint: string): boolean {
  if (!(err instanceof QueryFailedError)) return false;
  const driver = err.driverError as { code?: string; constraint?: string };
  return driver.code === '23505' && driver.constraint === constraint;
}
