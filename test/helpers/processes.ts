import { constants as osConstants } from 'node:os';
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { findFreePort } from '@ozvps/core';
import { asPanelRole } from './database';

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
  options: { input?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main, ...args], {
      env,
      cwd,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (options.input !== undefined) child.stdin!.end(options.input);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The OS user the audit lines name: ozvpsctl runs as if `sudo` was used by this person. */
export const SUDO_USER = 'tester';

/**
 * `ozvpsctl …` against the given database, with no .env file and no other environment. It runs as
 * installed: the panel's role (owns nothing) on DATABASE_URL, `databaseUrl` as the owner role.
 */
export function ozvpsctl(
  databaseUrl: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  input?: string,
): Promise<RunResult> {
  return runNode(
    CLI_MAIN,
    args,
    {
      DATABASE_URL: asPanelRole(databaseUrl),
      DATABASE_OWNER_URL: databaseUrl,
      OZVPS_ENV_FILE: '/dev/null',
      PATH: process.env.PATH,
      SUDO_USER,
      ...env,
    },
    ROOT,
    { input },
  );
}

export interface RunningApi {
  child: ChildProcess;
  /** The database it runs on (owner role), when started with startPanel. */
  databaseUrl?: string;
  baseUrl: string;
  output(): string;
  /** SIGTERM, as systemd sends it; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts the built API and resolves once /api/health answers 200. */
export async function startApi(options: {
  env: NodeJS.ProcessEnv;
  port: number;
  cwd?: string;
}): Promise<RunningApi> {
  const child = spawn(process.execPath, [API_MAIN], {
    cwd: options.cwd ?? ROOT,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const baseUrl = `http://127.0.0.1:${options.port}`;
  const stop = () =>
    new Promise<number | null>((resolve) => {
      // Already gone (a second stop): by its own exit, or by the signal it re-raised after shutting down.
      if (child.exitCode !== null || child.signalCode !== null)
        return resolve(exitStatus(child.exitCode, child.signalCode));
      child.once('exit', (code, signal) => resolve(exitStatus(code, signal)));
      child.kill('SIGTERM');
    });
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode}:\n${output}`);
    const ok = await fetch(`${baseUrl}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { child, baseUrl, output: () => output, stop };
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`the API did not become healthy:\n${output}`);
}

/**
 * The built API on a test database, with no .env and nothing else configured but `extraEnv`.
 * As installed, it runs as the panel's role (owns nothing) and migrates as `databaseUrl`'s role.
 * Admins sign in with a password alone (ADMIN_REQUIRE_2FA=false) unless `extraEnv` says
 * ADMIN_REQUIRE_2FA: 'true' (the two-factor tests do).
 * `origin` is APP_URL (what browsers send as Origin); `api.baseUrl` is where to send requests.
 */
export async function startPanel(
  databaseUrl: string,
  extraEnv: NodeJS.ProcessEnv = {},
  host: 'localhost' | '127.0.0.1' = '127.0.0.1',
): Promise<{ api: RunningApi; origin: string }> {
  const port = await findFreePort();
  const origin = `http://${host}:${port}`;
  const api = await startApi({
    port,
    env: {
      DATABASE_URL: asPanelRole(databaseUrl),
      DATABASE_OWNER_URL: databaseUrl,
      OZVPS_ENV_FILE: '/dev/null',
      PORT: String(port),
      APP_URL: origin,
      ADMIN_REQUIRE_2FA: 'false',
      ...extraEnv,
    },
  });
  return { api: Object.assign(api, { databaseUrl }), origin };
}

/**
 * The status a shell would report: a process killed by a signal is 128 + its number. After its
 * shutdown hooks ran, Nest re-raises SIGTERM: the process then dies by it (Node reports no code, only
 * the signal) unless another listener keeps it alive to exit on its own (0). Both are a clean stop.
 */
function exitStatus(code: number | null, signal: NodeJS.Signals | null): number | null {
  if (code !== null) return code;
  return signal ? 128 + (osConstants.signals[signal] ?? 0) : null;
}
