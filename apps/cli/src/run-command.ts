import 'reflect-metadata';
import { join } from 'node:path';
import type { CommanderError } from 'commander';
import { CommandFactory, CommandRunnerService } from 'nest-commander';
import { escapeControlCharacters, loadConfig, PanelLogger, readBuildInfo } from '@ozvps/core';
import { describeFailure, EXIT_FAILURE, ParseAborted } from './cli-errors';
import { CliModule } from './cli.module';

function fail(err: unknown): void {
  if (err instanceof ParseAborted) return; // commander already printed its message; the code is set
  const { message, exitCode } = describeFailure(err);
  process.stderr.write(`ozvpsctl: ${escapeControlCharacters(message)}\n`);
  process.exitCode = exitCode;
}

/** Builds the DI container (config, database, lib modules, commands) and runs one command line. */
export async function runCommand(args: string[]): Promise<void> {
  try {
    const config = loadConfig(process.env);
    const build = readBuildInfo(join(__dirname, '..', '..', '..', 'build-info.json'));
    const app = await CommandFactory.createWithoutRunning(CliModule.forRoot(config, args[0]), {
      // Nest's own messages go to stderr and only when they matter: stdout belongs to the command.
      logger: new PanelLogger('ozvpsctl', { logLevels: ['fatal', 'error', 'warn'] }, 'stderr'),
      abortOnError: false,
      version: `${build.version} (${build.commit})`,
      errorHandler: (err: Error) => {
        // Reached for the root command's parse errors; subcommands route through base.command.ts.
        process.exitCode = (err as CommanderError).exitCode === 0 ? 0 : 2;
        throw new ParseAborted(err.message);
      },
      serviceErrorHandler: fail,
    });
    try {
      // Commander names the program after argv[1]: help and errors say `ozvpsctl`, whichever file started it.
      await app.get(CommandRunnerService).run([process.argv[0]!, 'ozvpsctl', ...args]);
    } finally {
      await app.close(); // closes the database, and stops an embedded PostgreSQL this command started
    }
  } catch (err) {
    fail(err);
    if (!process.exitCode) process.exitCode = EXIT_FAILURE;
  }
}
