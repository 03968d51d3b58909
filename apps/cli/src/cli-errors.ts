import { DomainError, ValidationError } from '@ozvps/core';

/** The command was used wrongly (missing confirmation, bad argument); exit code 2. */
export class UsageError extends ValidationError {}

/** The command ran and found something wrong (e.g. ledger drift), already reported on stdout. */
export class CheckFailedError extends DomainError {
  readonly code = 'check_failed';
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Thrown by the parse-error handler to stop commander after it has printed its own message. */
export class ParseAborted extends Error {}

/** One line for stderr and the exit code it deserves. */
export function describeFailure(err: unknown): { message: string; exitCode: number } {
  if (err instanceof CheckFailedError) return { message: err.message, exitCode: EXIT_FAILURE };
  if (err instanceof ValidationError) return { message: err.message, exitCode: EXIT_USAGE };
  if (err instanceof DomainError) return { message: err.message, exitCode: EXIT_FAILURE };
  const pg = (err as { driverError?: { code?: string } }).driverError;
  if (pg?.code === '42P01' || pg?.code === '42703') {
    return {
      message:
        'The database schema is missing or older than this version of the panel: run `ozvpsctl db migrate`.',
      exitCode: EXIT_FAILURE,
    };
  }
  return {
    message: `unexpected failure: ${err instanceof Error ? err.message : String(err)}`,
    exitCode: EXIT_FAILURE,
  };
}
