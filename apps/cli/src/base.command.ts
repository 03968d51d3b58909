import type { Command as Commander, CommanderError } from 'commander';
import { CommandRunner, Option } from 'nest-commander';
import { EXIT_USAGE, ParseAborted, UsageError } from './cli-errors';

/**
 * Commander exits the process itself on a parse error or after --help, which would skip closing
 * the database. Every command routes those exits here instead: record the code, unwind.
 */
export function interceptCommanderExit(command: Commander): void {
  command.exitOverride((err: CommanderError) => {
    process.exitCode = err.exitCode === 0 ? 0 : EXIT_USAGE;
    throw new ParseAborted(err.message);
  });
}

/** A command that only groups subcommands: run alone, it shows its help. */
export abstract class GroupCommand extends CommandRunner {
  override setCommand(command: Commander): this {
    interceptCommanderExit(command);
    return super.setCommand(command);
  }

  async run(params: string[]): Promise<void> {
    if (params.length > 0)
      throw new UsageError(
        `unknown command "${this.command.name()} ${params[0]}" (see ozvpsctl ${this.command.name()} --help)`,
      );
    this.command.help();
  }
}

export interface JsonOptions {
  json?: boolean;
}

/** Every command takes --json and refuses arguments it does not know. */
export abstract class OzvpsCommand<O extends JsonOptions = JsonOptions> extends CommandRunner {
  protected abstract readonly arity: number;

  override setCommand(command: Commander): this {
    interceptCommanderExit(command);
    return super.setCommand(command);
  }

  async run(params: string[], options: O = {} as O): Promise<void> {
    if (params.length > this.arity) {
      throw new UsageError(`unexpected argument "${params[this.arity]}" (see --help)`);
    }
    await this.execute(params, options);
  }

  protected abstract execute(params: string[], options: O): Promise<void>;

  @Option({ flags: '--json', description: 'print machine-readable JSON on stdout' })
  parseJson(): boolean {
    return true;
  }
}

/** Parses a --limit style option: a whole number within bounds. */
export function parseBoundedInt(value: string, name: string, min: number, max: number): number {
  if (!/^[0-9]+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UsageError(
      `${name} must be a whole number from ${min} to ${max} (got "${value.slice(0, 24)}")`,
    );
  }
  return Number(value);
}
