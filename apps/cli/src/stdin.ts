import { UsageError } from './cli-errors';

/** Reads a secret piped on stdin (never from argv, where `ps` and shell history would show it). */
export async function readSecretFromStdin(what: string): Promise<string> {
  if (process.stdin.isTTY) {
    throw new UsageError(
      `--${what}-stdin reads the ${what} from a pipe, e.g. printf '%s' "$PASSWORD" | ozvpsctl …`,
    );
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // One trailing newline (from echo or a here-string) is not part of the secret.
  const value = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (!value) throw new UsageError(`no ${what} on stdin`);
  return value;
}
