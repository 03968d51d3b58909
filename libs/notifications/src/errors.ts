import { ConflictError, DomainError, NotFoundError } from '@ozvps/core';

export class MailMessageNotFoundError extends NotFoundError {
  override readonly code = 'mail_not_found';

  constructor(id: number | string) {
    super(`No message with id ${id}`);
  }
}

/** Only a dead or held message goes back to the queue; the others are queued or sent already. */
export class MailNotRetryableError extends ConflictError {
  override readonly code = 'mail_not_retryable';

  constructor(id: number, status: string) {
    super(`Message ${id} is ${status}: only a dead or held message can be retried`);
  }
}

/** `mail test` and the sender need SMTP_URL. */
export class SmtpNotConfiguredError extends DomainError {
  readonly code = 'smtp_not_configured';

  constructor() {
    super(
      'SMTP_URL is not set: messages are held in the outbox. Set SMTP_URL (smtp:// or smtps://) to send email',
    );
  }
}

/** The SMTP server refused or could not be reached; the message carries its answer, never a password. */
export class SmtpSendError extends DomainError {
  readonly code = 'smtp_failed';

  /** `unreachable`: no SMTP conversation happened at all (refused, DNS, TLS or a connect timeout). */
  constructor(
    message: string,
    readonly unreachable = false,
  ) {
    super(message);
  }
}
