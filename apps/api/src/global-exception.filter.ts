import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import {
  ConflictError,
  DomainError,
  LogThrottle,
  NotFoundError,
  UnauthenticatedError,
  UnprocessableError,
  ValidationError,
} from '@ozvps/core';
import { EmailUnverifiedError } from '@ozvps/accounts';
import { StripeNotConfiguredError, StripeUnavailableError } from '@ozvps/billing';
import { SmtpNotConfiguredError } from '@ozvps/notifications';
import {
  DeploysBusyError,
  DeploysNotConfiguredError,
  TooManyActionsError,
  VirtFusionDidNotAnswerError,
} from '@ozvps/servers';
import { VirtFusionError, VirtFusionNotConfiguredError } from '@ozvps/virtfusion';
import { InsufficientFundsError } from '@ozvps/wallet';
import { databaseUnavailableCause } from './database-errors';

interface ErrorBody {
  error: { code: string; message: string };
}

/** Turns every error into `{ error: { code, message } }`; stacks go to the log, never to the client. */
@Catch()
export class GlobalExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');
  private readonly throttle = new LogThrottle();

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const dbCause = databaseUnavailableCause(exception);
    if (dbCause) {
      // One line per cause every few seconds, never a stack per request: the cause is the news.
      const line = this.throttle.line(`db:${dbCause}`, `Database unavailable: ${dbCause}`);
      if (line) this.logger.error(line);
      res
        .status(HttpStatus.SERVICE_UNAVAILABLE)
        .json(
          errorBody(
            HttpStatus.SERVICE_UNAVAILABLE,
            'The database is not answering; try again shortly',
            'database_unavailable',
          ),
        );
      return;
    }
    const [status, body] = this.describe(exception);
    if (status >= 500) {
      // A domain or HTTP error already says what went wrong (VirtFusion down, …); anything else
      // needs its stack. Either way once per cause per few seconds.
      const cause =
        exception instanceof Error ? `${exception.name}: ${exception.message}` : String(exception);
      const detail =
        exception instanceof DomainError || exception instanceof HttpException
          ? exception.message
          : exception instanceof Error
            ? (exception.stack ?? exception.message)
            : String(exception);
      const line = this.throttle.line(cause, detail);
      if (line) this.logger.error(line);
    }
    res.status(status).json(body);
  }

  private describe(exception: unknown): [number, ErrorBody] {
    if (exception instanceof DomainError) {
      return [statusOf(exception), { error: { code: exception.code, message: exception.message } }];
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const detail =
        typeof response === 'object' && response !== null && 'message' in response
          ? (response as { message: string | string[] }).message
          : exception.message;
      const message = Array.isArray(detail) ? detail.join('; ') : detail;
      return [status, { error: { code: codeOf(status), message } }];
    }
    // http-errors from Express middleware (a body over the limit, …): the client's mistake, said plainly.
    const status = (exception as { status?: unknown } | null)?.status;
    if (
      typeof status === 'number' &&
      status >= 400 &&
      status < 500 &&
      (exception as { expose?: unknown }).expose === true
    ) {
      return [status, errorBody(status, (exception as Error).message)];
    }
    return [
      HttpStatus.INTERNAL_SERVER_ERROR,
      { error: { code: 'internal_error', message: 'Something went wrong on our side; it has been logged.' } },
    ];
  }
}

/** The one error shape every response uses. */
export function errorBody(status: number, message: string, code = codeOf(status)): ErrorBody {
  return { error: { code, message } };
}

function statusOf(error: DomainError): number {
  if (error instanceof ValidationError) return HttpStatus.BAD_REQUEST;
  if (error instanceof EmailUnverifiedError) return HttpStatus.FORBIDDEN;
  if (error instanceof UnprocessableError) return HttpStatus.UNPROCESSABLE_ENTITY;
  if (error instanceof TooManyActionsError) return HttpStatus.TOO_MANY_REQUESTS;
  if (error instanceof VirtFusionDidNotAnswerError) return HttpStatus.BAD_GATEWAY;
  if (error instanceof NotFoundError) return HttpStatus.NOT_FOUND;
  if (error instanceof UnauthenticatedError) return HttpStatus.UNAUTHORIZED;
  if (error instanceof InsufficientFundsError) return HttpStatus.PAYMENT_REQUIRED;
  if (error instanceof ConflictError) return HttpStatus.CONFLICT;
  if (
    error instanceof VirtFusionNotConfiguredError ||
    error instanceof StripeNotConfiguredError ||
    error instanceof DeploysNotConfiguredError ||
    error instanceof DeploysBusyError ||
    error instanceof SmtpNotConfiguredError
  ) {
    return HttpStatus.SERVICE_UNAVAILABLE;
  }
  if (error instanceof StripeUnavailableError) return HttpStatus.BAD_GATEWAY;
  if (error instanceof VirtFusionError) return HttpStatus.BAD_GATEWAY;
  return HttpStatus.INTERNAL_SERVER_ERROR;
}

function codeOf(status: number): string {
  const known: Record<number, string> = {
    400: 'bad_request',
    401: 'unauthenticated',
    403: 'forbidden',
    404: 'not_found',
    405: 'method_not_allowed',
    409: 'conflict',
    413: 'payload_too_large',
    415: 'unsupported_media_type',
    429: 'rate_limited',
    502: 'bad_gateway',
    503: 'unavailable',
  };
  return known[status] ?? (status >= 500 ? 'internal_error' : 'request_failed');
}
