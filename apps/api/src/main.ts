import 'reflect-metadata';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import {
  DatabaseMigrator,
  DomainError,
  loadConfig,
  logLevels,
  PanelLogger,
  readBuildInfo,
} from '@ozvps/core';
import { AppModule } from './app.module';
import { createPanelApp } from './http-app';
import { serveWebApp } from './web-app';

// Compiled layout: dist/apps/api/src/main.js, with dist/build-info.json and dist/web beside `apps`.
const DIST = join(__dirname, '..', '..', '..');

async function bootstrap(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = new Logger('Panel');
  const app = await createPanelApp(
    AppModule.forRoot(config, readBuildInfo(join(DIST, 'build-info.json'))),
    config,
    new PanelLogger('Panel', { logLevels: logLevels(config) }),
  );
  app.enableShutdownHooks();

  const { applied, ledgerProtected } = await app.get(DatabaseMigrator).migrate();
  if (!ledgerProtected)
    logger.warn(
      'DATABASE_OWNER_URL is unset: the panel runs as the role that owns the schema, so its own credentials ' +
        'could disable the ledger trigger. Set DATABASE_OWNER_URL and give DATABASE_URL a role that owns nothing (README: Database roles).',
    );
  if (applied.length)
    logger.log(`Applied ${applied.length} migration(s): ${applied.map((m) => m.name).join(', ')}`);

  if (!serveWebApp(app, join(DIST, 'web')))
    logger.warn('No web build found in dist/web: serving the API only');
  await app.listen(config.port, config.host);
  logger.log(`OzVPS panel listening on http://${config.host}:${config.port} (APP_URL ${config.appUrl})`);
}

bootstrap().catch((err: unknown) => {
  // Operator-facing failures (bad config, database not startable) are one clear message, no stack.
  const message =
    err instanceof DomainError
      ? err.message
      : err instanceof Error
        ? (err.stack ?? err.message)
        : String(err);
  process.stderr.write(`ozvps-panel failed to start: ${message}\n`);
  process.exit(1);
});
