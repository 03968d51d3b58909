import { existsSync, readFileSync } from 'node:fs';

export interface BuildInfo {
  version: string;
  commit: string;
  builtAt: string | null;
}

export const BUILD_INFO = Symbol('BUILD_INFO');

/**
 * Reads the stamp written by `npm run build` next to the compiled code, once at start: the
 * answer describes the code this process runs, even if a newer build lands on disk meanwhile.
 */
export function readBuildInfo(path: string): BuildInfo {
  if (!existsSync(path)) return { version: 'unknown', commit: 'unknown', builtAt: null };
  const info = JSON.parse(readFileSync(path, 'utf8')) as Partial<BuildInfo>;
  return {
    version: info.version ?? 'unknown',
    commit: info.commit ?? 'unknown',
    builtAt: info.builtAt ?? null,
  };
}
