import { userInfo } from 'node:os';
import { ConsoleLogger, ConsoleLoggerOptions, LogLevel } from '@nestjs/common';
import type { AppConfig } from './config/app-config';

const ORDER: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Nest log levels at and above the configured one. */
export function logLevels(config: Pick<AppConfig, 'logLevel'>): LogLevel[] {
  return ORDER.slice(0, ORDER.indexOf(config.logLevel) + 1);
}

/** Who is at the keyboard, for audit lines: the user behind sudo when there is one. */
export function currentOsUser(): string {
  const sudoUser = process.env.SUDO_USER?.trim();
  if (sudoUser) return sudoUser;
  try {
    return userInfo().username;
  } catch {
    return `uid:${process.getuid?.() ?? 'unknown'}`;
  }
}

/**
 * Nest's logger, minus the stack trace Nest prints when start-up fails: main.ts reports those
 * failures itself, in one line an operator can act on. `stream: 'stderr'` keeps stdout for
 * command output (the CLI).
 */
export class PanelLogger extends ConsoleLogger {
  constructor(
    context: string,
    options: ConsoleLoggerOptions,
    private readonly stream: 'stdout' | 'stderr' = 'stdout',
  ) {
    super(context, options);
  }

  override error(message: unknown, ...rest: unknown[]): void {
    if (rest[rest.length - 1] === 'ExceptionHandler') return;
    super.error(message, ...rest);
  }

  protected override printMessages(
    messages: unknown[],
    context = '',
    logLevel: LogLevel = 'log',
    writeStreamType?: 'stdout' | 'stderr',
  ): void {
    super.printMessages(messages, context, logLevel, this.stream === 'stderr' ? 'stderr' : writeStreamType);
  }
}
