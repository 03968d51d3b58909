import { LogLevel } from '@nestjs/common';
import type { AppConfig } from './config/app-config';

const ORDER: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Nest log levels at and above the configured one. */
export function logLevels(config: Pick<AppConfig, 'logLevel'>): LogLevel[] {
  return ORDER.slice(0, ORDER.indexOf(config.logLevel) + 1);
}
