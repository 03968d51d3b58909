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
