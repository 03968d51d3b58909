import { Test } from '@nestjs/testing';
import { INestApplicationContext } from '@nestjs/common';
import { AppConfig, CoreConfigModule, DatabaseModule, loadConfig } from '@ozvps/core';
import { SCHEMA } from '@ozvps/migrations';
import { PlansModule } from '@ozvps/plans';
import { UsersModule } from '@ozvps/users';
import { WalletModule } from '@ozvps/wallet';

/** The config a test panel runs with: defaults, on the given database, no .env file. */
export function testConfig(databaseUrl: string, overrides: NodeJS.ProcessEnv = {}): AppConfig {
  return loadConfig({
    DATABASE_URL: databaseUrl,
    NODE_ENV: 'test',
    OZVPS_ENV_FILE: '/dev/null',
    ...overrides,
  });
}

/** The real lib modules on a real database, as the API and CLI compose them. */
export async function bootLibs(
  databaseUrl: string,
  options: { env?: NodeJS.ProcessEnv } = {},
): Promise<INestApplicationContext> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      CoreConfigModule.forRoot(testConfig(databaseUrl, options.env)),
      DatabaseModule.forRoot(SCHEMA),
      UsersModule,
      WalletModule,
      PlansModule,
    ],
  }).compile();
  return moduleRef.init();
}
