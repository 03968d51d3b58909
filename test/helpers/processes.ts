import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
export const CLI_MAIN = join(ROOT, 'dist', 'apps', 'cli', 'src', 'main.js');
export const API_MAIN = join(ROOT, 'dist', 'apps', 'api', 'src', 'main.js');

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a built entry point as operators do: a separate process, its own environment only. */
export function runNode(
  main: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd = ROOT,
  timeoutMs = 60_000,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The OS user the audit lines name: ozvpsctl runs as if `sudo` was used by this person. */
export const SUDO_USER = 'tester';

/** `ozvpsctl …` against the given database, with no .env file and no other environment. */
export function ozvpsctl(
  databaseUrl: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<RunResult> {
  return runNode(CLI_MAIN, args, {
    DATABASE_URL: databaseUrl,
    OZVPS_ENV_FILE: '/dev/null',
    PATH: process.env.PATH,
    SUDO_USER,
    ...env,
  });
}
