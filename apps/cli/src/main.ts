import 'reflect-metadata';
import { ConsoleLogger, LogLevel } from '@nestjs/common';
import type { CommanderError } from 'commander';
import { CommandFactory } from 'nest-commander';
import { loadConfig } from '@ozvps/core';
import { describeFailure, EXIT_FAILURE, ParseAborted } from './cli-errors';
import { CliModule } from './cli.module';

/** Nest's own messages go to stderr and only when they matter: stdout belongs to the command. */
class StderrLogger extends ConsoleLogger {
  protected override printMessages(messages: unknown[], context = '', logLevel: LogLevel = 'log'): void {
    super.printMessages(messages, context, logLevel, 'stderr');
  }
}

function fail(err: unknown): void {
  if (err instanceof ParseAborted) return; // commander already printed its message; the code is set
  const { message, exitCode } = describeFailure(err);
  process.stderr.write(`ozvpsctl: ${message}\n`);
  process.exitCode = exitCode;
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  await CommandFactory.run(CliModule.forRoot(config), {
    logger: new StderrLogger('ozvpsctl', { logLevels: ['fatal', 'error', 'warn'] }),
    abortOnError: false,
    errorHandler: (err: Error) => {
      // Reached for the root command's parse errors; subcommands route through base.command.ts.
      process.exitCode = (err as CommanderError).exitCode === 0 ? 0 : 2;
      throw new ParseAborted(err.message);
    },
    serviceErrorHandler: fail,
  });
}

main()
  .catch((err: unknown) => {
    fail(err);
    if (!process.exitCode) process.exitCode = EXIT_FAILURE;
  })
  .finally(() => process.exit(process.exitCode ?? 0));
