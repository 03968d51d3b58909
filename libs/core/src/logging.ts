import { userInfo } from 'node:os';
import { LogLevel } from '@nestjs/common';
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
