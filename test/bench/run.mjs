// npm run bench: numbers for the notes, never pass/fail. Each figure is reported beside a
// baseline measured in the same run on the same machine.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const root = new URL('../..', import.meta.url).pathname;
const core = require(join(root, 'dist/libs/core/src/index.js'));
const { SCHEMA } = require(join(root, 'dist/migrations/index.js'));
const CLI = join(root, 'dist/apps/cli/src/main.js');
const RUNS = Number(process.argv[2] ?? 15);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function timeCommand(args, env) {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(times);
}

const dataDir = mkdtempSync(join(tmpdir(), 'ozvps-bench-'));
chmodSync(dataDir, 0o755);
const db = await core.openEmbeddedPostgres(dataDir, await core.findFreePort(), () => undefined);
try {
  const ds = core.createDataSource(db.ownerUrl, SCHEMA);
  await ds.initialize();
  await core.runMigrations(ds, { role: core.roleOfUrl(db.url), appendOnlyTables: SCHEMA.appendOnlyTables });
  await ds.destroy();
  // As installed: the panel's role owns nothing.
  const env = { DATABASE_URL: db.url, OZVPS_ENV_FILE: '/dev/null', PATH: process.env.PATH };
  spawnSync(process.execPath, [CLI, 'users', 'create', 'bench@example.test'], { env });
  spawnSync(process.execPath, [CLI, 'wallet', 'add', 'bench@example.test', '100', '--reason', 'bench'], {
    env,
  });

  const bareNode = timeCommand(['-e', ''], env);
  const version = timeCommand([CLI, '--version'], env);
  const help = timeCommand([CLI, '--help'], env);
  const show = timeCommand([CLI, 'wallet', 'show', 'bench@example.test'], env);
  const row = (label, ms, note) => `  ${label.padEnd(31)}${ms.toFixed(0).padStart(6)} ms   ${note}`;
  const vs = (ms) => `${(ms / bareNode).toFixed(1)}x baseline, +${(ms - bareNode).toFixed(0)} ms`;
  console.log(`CLI cold start, median of ${RUNS} runs (database already running):`);
  console.log(row(`node -e ''`, bareNode, '(baseline)'));
  console.log(row('ozvpsctl --version', version, `${vs(version)}   (target <= 150 ms; issue 21: ~1.0 s)`));
  console.log(row('ozvpsctl --help', help, vs(help)));
  console.log(row('ozvpsctl wallet show <user>', show, `${vs(show)}   (target <= 500 ms)`));
} finally {
  await db.stop();
}
