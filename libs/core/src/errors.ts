/**
 * Base class for every error the domain raises on purpose. Each edge (HTTP filter, CLI handler)
 * maps these by `code` and shows `message` to people; anything else is an unexpected failure.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends DomainError {
  readonly code: string = 'validation_failed';
}

export class NotFoundError extends DomainError {
  readonly code: string = 'not_found';
}

/** Well-formed, but refused for what it says (HTTP 422): a bad key, a confirmation that does not match. */
export class UnprocessableError extends DomainError {
  readonly code: string = 'unprocessable';
}

export class ConflictError extends DomainError {
  readonly code: string = 'conflict';
}

/** The caller has not proved who they are (or the proof was wrong). */
export class UnauthenticatedError extends DomainError {
  readonly code: string = 'unauthenticated';
}

/** The caller is known but may not do this (HTTP 403). */
export class ForbiddenError extends DomainError {
  readonly code: string = 'forbidden';
}

/** A configuration value is missing or malformed; the process must not start. */
export class ConfigError extends DomainError {
  readonly code = 'invalid_config';
}

/** The database could not be reached or started; carries an operator-facing explanation. */
export class DatabaseStartupError extends DomainError {
  readonly code = 'database_unavailable';
}

/** `ozvpsctl backup …` without BACKUP_DIR: backups are not configured on this machine. */
export class BackupsNotConfiguredError extends DomainError {
  readonly code = 'backups_not_configured';
}

/** pg_dump is missing, or too old for the server it would dump; nothing was written. */
export class PgDumpUnavailableError extends DomainError {
  readonly code = 'pg_dump_unavailable';
}

/** pg_dump ran and failed; its partial output was removed. */
export class BackupFailedError extends DomainError {
  readonly code = 'backup_failed';
}
