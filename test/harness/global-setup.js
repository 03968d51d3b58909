// Starts one real PostgreSQL for the whole run (embedded, unless TEST_DATABASE_URL is given) and
// prepares a migrated template database that every test file clones in a few milliseconds.
const { randomBytes } = require('node:crypto');
const { chmodSync, mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { Client } = require('pg');

const DIST_CORE = join(__dirname, '..', '..', 'dist', 'libs', 'core', 'src', 'index.js');
const DIST_MIGRATIONS = join(__dirname, '..', '..', 'dist', 'migrations', 'index.js');
const TEMPLATE = 'ozvps_test_template';
// The role the e2e panels run as, as installed: it owns nothing and has only the runtime grants,
// which the template carries into every clone.
const PANEL_ROLE = 'ozvps_test_panel';

module.exports = async function globalSetup() {
  let core;
  try {
    core = require(DIST_CORE);
  } catch {
    throw new Error('The tests drive the built panel: run `npm run build:server` first (`npm test` does).');
  }
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const dataDir = mkdtempSync(join(tmpdir(), 'ozvps-test-pg-'));
    chmodSync(dataDir, 0o755); // mkdtemp makes it 0700; the postgres user (when we are root) must enter it
    const db = await core.openEmbeddedPostgres(dataDir, await core.findFreePort(), () => undefined);
    globalThis.__OZVPS_TEST_DB__ = db;
    adminUrl = db.adminUrl;
  }
  const panelPassword = randomBytes(18).toString('base64url');
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${TEMPLATE}`);
  await client.query(`CREATE DATABASE ${TEMPLATE}`);
  const role = await client.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [PANEL_ROLE]);
  const verb = role.rowCount ? 'ALTER' : 'CREATE';
  await client.query(
    `${verb} ROLE ${PANEL_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '${panelPassword}'`,
  );
  await client.end();

  const { SCHEMA } = require(DIST_MIGRATIONS);
  const templateUrl = withDatabase(adminUrl, TEMPLATE);
  const ds = core.createDataSource(templateUrl, SCHEMA);
  await ds.initialize();
  await core.runMigrations(ds, { role: PANEL_ROLE, appendOnlyTables: SCHEMA.appendOnlyTables });
  await ds.destroy();

  process.env.OZVPS_TEST_ADMIN_URL = adminUrl;
  process.env.OZVPS_TEST_PANEL_LOGIN = `${PANEL_ROLE}:${panelPassword}`;
  process.env.OZVPS_TEST_TEMPLATE = TEMPLATE;
};

function withDatabase(url, database) {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
