// Socket errors and PostgreSQL's connection/shutdown classes (08, 57P0x, 53300 too many connections).
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EPIPE',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);

const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is not established/i;

/**
 * The database cannot be reached (down, restarting, refusing connections), as opposed to a query
 * that failed: TypeORM wraps the driver's error, and node-postgres nests socket errors in
 * AggregateError when it tried several addresses.
 */
export function databaseUnavailableCause(error: unknown, depth = 0): string | undefined {
  if (typeof error !== 'object' || error === null || depth > 4) return undefined;
  const e = error as {
    code?: unknown;
    message?: unknown;
    driverError?: unknown;
    errors?: unknown;
    cause?: unknown;
  };
  if (typeof e.code === 'string' && UNAVAILABLE_CODES.has(e.code)) return e.code;
  if (typeof e.message === 'string' && UNAVAILABLE_MESSAGES.test(e.message)) {
    return e.message.split('\n')[0]!.slice(0, 120);
  }
  const nested = [e.driverError, e.cause, ...(Array.isArray(e.errors) ? e.errors : [])];
  for (const inner of nested) {
    const cause = databaseUnavailableCause(inner, depth + 1);
    if (cause) return cause;
  }
  return undefined;
}
