import { ValidationError } from '@ozvps/core';
import { HOSTNAME_PATTERN } from './deploy.service';

/** Letters, digits and hyphens, dot-separated, up to 253 characters (deploy and rename). */
export const HOSTNAME =
  /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

export const HOSTNAME_RULE =
  'hostname must be a valid host name (letters, digits and hyphens, dot-separated, up to 253 characters)';

/** A hostname as deploy and rename accept it: trimmed, lower case; null when it is not one. */
export function normalizeHostname(input: unknown): string | null {
  const hostname = typeof input === 'string' ? input.trim().toLowerCase() : '';
  return HOSTNAME_PATTERN.test(hostname) ? hostname : null;
}

/** The same, or a ValidationError naming the rule. */
export function assertHostname(input: unknown): string {
  const hostname = normalizeHostname(input);
  if (hostname === null) throw new ValidationError(HOSTNAME_RULE);
  return hostname;
}
