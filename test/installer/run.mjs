// npm run test:installer: runs installer/ozvps-install.sh for real. It installs and removes Debian
// packages (PostgreSQL among them), starts services and writes under /opt and /etc, so it runs only
// as root and only where that is explicitly allowed: CI=true, or OZVPS_INSTALLER_TESTS=1.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

const allowed = process.env.CI === 'true' || process.env.OZVPS_INSTALLER_TESTS === '1';
if (process.getuid?.() !== 0 || !allowed) {
  console.error(
    'test:installer changes this machine (installs and purges PostgreSQL, writes /opt and /etc).\n' +
      'It runs only as root with CI=true or OZVPS_INSTALLER_TESTS=1.',
  );
  process.exit(2);
}
mkdirSync('.tmp', { recursive: true });
const jest = spawnSync(
  'npx',
  [
    'jest',
    '-c',
    'jest.installer.config.js',
    '--json',
    '--outputFile=.tmp/installer-results.json',
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);
process.exit(jest.status ?? 1);
