// Writes dist/build-info.json: the version and commit that /api/version and `ozvpsctl --version` report.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const root = new URL('..', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));

function git(...args) {
  try {
    return execFileSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return '';
  }
}

// The installer builds from a tarball without .git and passes the commit it fetched.
let commit = process.env.OZVPS_BUILD_COMMIT || git('rev-parse', 'HEAD') || 'unknown';
if (
  commit !== 'unknown' &&
  !process.env.OZVPS_BUILD_COMMIT &&
  git('status', '--porcelain', '--untracked-files=no')
) {
  commit += '-dirty';
}
const info = { version: pkg.version, commit, builtAt: new Date().toISOString() };
mkdirSync(new URL('dist/', root), { recursive: true });
writeFileSync(new URL('dist/build-info.json', root), JSON.stringify(info, null, 2) + '\n');
console.log(`build-info: ${info.version} ${info.commit}`);
