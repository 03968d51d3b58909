import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..');
const scripts = (
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;

/** A dist/ as a full build leaves it: server output, build info and the web app. */
function aBuiltDist(): string {
  const dist = join(mkdtempSync(join(tmpdir(), 'dist-')), 'dist');
  for (const dir of ['apps/api/src', 'libs/core/src', 'migrations', 'web/assets'])
    mkdirSync(join(dist, dir), { recursive: true });
  writeFileSync(join(dist, 'apps/api/src/main.js'), '// old server');
  writeFileSync(join(dist, 'libs/core/src/stale.js'), '// a file an older build left');
  writeFileSync(join(dist, 'migrations/index.js'), '// old migrations');
  writeFileSync(join(dist, 'build-info.json'), '{}');
  writeFileSync(join(dist, 'web/index.html'), '<!doctype html>');
  writeFileSync(join(dist, 'web/assets/app.js'), '// the web app');
  return dist;
}

describe('build scripts', () => {
  it('npm run migrate rebuilds only the server and keeps the web app in dist/web', () => {
    // migrate = build:server + db migrate; build:server starts with clean-dist.
    expect(scripts.migrate).toMatch(/^npm run build:server && /);
    expect(scripts.migrate).not.toMatch(/build:web|npm run build(?!:)/);
    expect(scripts['build:server']).toMatch(/^node scripts\/clean-dist\.mjs && /);

    const dist = aBuiltDist();
    execFileSync(process.execPath, [join(root, 'scripts/clean-dist.mjs'), dist]);

    expect(readFileSync(join(dist, 'web/index.html'), 'utf8')).toBe('<!doctype html>');
    expect(existsSync(join(dist, 'web/assets/app.js'))).toBe(true);
    // Nothing of the old server build survives.
    for (const gone of ['apps', 'libs', 'migrations', 'build-info.json'])
      expect(existsSync(join(dist, gone))).toBe(false);
  });

  it('the web build owns dist/web and empties it itself', () => {
    const vite = readFileSync(join(root, 'apps/web/vite.config.ts'), 'utf8');
    expect(vite).toMatch(/outDir: fileURLToPath\(new URL\('\.\.\/\.\.\/dist\/web'/);
    expect(vite).toMatch(/emptyOutDir: true/);
  });

  it('clean-dist on a missing dist/ is not an error', () => {
    const dist = join(mkdtempSync(join(tmpdir(), 'dist-')), 'never-built');
    expect(() => execFileSync(process.execPath, [join(root, 'scripts/clean-dist.mjs'), dist])).not.toThrow();
  });
});
