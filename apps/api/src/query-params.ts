import { ValidationError } from '@ozvps/core';

/** A whole-number query parameter within bounds; absent → `fallback`; anything else a clear 400. */
export function queryInt(
  value: string | undefined,
  name: string,
  min: number,
  max: number,
  fallback?: number,
): number | undefined {
  if (value === undefined) return fallback;
  if (!/^[0-9]{1,16}$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new ValidationError(`${name} must be a whole number from ${min} to ${max}`);
  }
  return Number(value);
}

/** `?limit=&before=` of a ledger page (keyset: the last id seen), shared by every history route. */
export function historyPageQuery(limit?: string, before?: string): { limit?: number; beforeId?: number } {
  return {
    limit: queryInt(limit, 'limit', 1, 500, 25),
    beforeId: queryInt(before, 'before', 1, Number.MAX_SAFE_INTEGER),
  };
}

/**
 * Refuses query keys a route does not read: Express's simple parser turns `?status[]=x` or
 * `?status[a]=x` into a key of its own, which would otherwise drop the filter without a word.
 */
export function onlyQueryKeys(query: Record<string, unknown>, allowed: readonly string[]): void {
  const unknown = Object.keys(query).filter((key) => !allowed.includes(key));
  if (unknown.length > 0)
    throw new ValidationError(
      `unknown query parameter ${unknown[0].slice(0, 40)}: this route takes ${allowed.join(', ')}`,
    );
  for (const key of allowed) {
    if (query[key] !== undefined && typeof query[key] !== 'string')
      throw new ValidationError(`${key} must be given once`);
  }
}
