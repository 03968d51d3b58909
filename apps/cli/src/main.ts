import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rootHelp } from './command-catalog';
import { deferInquirer } from './defer-inquirer';

/**
 * The `ozvpsctl` entry point. `--version` and the root help are answered from files on disk;
 * everything else loads the DI container (run-command.ts). Nothing heavy is imported up here:
 * @ozvps/core alone pulls in Nest, TypeORM and pg.
 */
function version(): string {
  const path = join(__dirname, '..', '..', '..', 'build-info.json');
  const info = existsSync(path)
    ? (JSON.parse(readFileSync(path, 'utf8')) as { version?: string; commit?: string })
    : {};
  return `${info.version ?? 'unknown'} (${info.commit ?? 'unknown'})`;
}

async function main(args: string[]): Promise<void> {
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
    process.stdout.write(`${version()}\n`);
    return;
  }
  if (args.length === 1 && (args[0] === '--help' || args[0] === '-h' || args[0] === 'help')) {
    process.stdout.write(rootHelp());
    return;
  }
  deferInquirer();
  const { runCommand } = await import('./run-command');
  await runCommand(args);
}

main(process.argv.slice(2))
  .catch((err: unknown) => {
    process.stderr.write(
      `ozvpsctl: unexpected failure: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    if (!process.exitCode) process.exitCode = 1;
  })
  .finally(() => process.exit(process.exitCode ?? 0));
