import { Test } from '@nestjs/testing';
import { INestApplicationContext } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { AppConfig, Clock, CLOCK, CoreConfigModule, DatabaseModule, loadConfig } from '@ozvps/core';
import { SCHEMA } from '@ozvps/migrations';
import { NotificationsModule } from '@ozvps/notifications';
import { PlansModule } from '@ozvps/plans';
import { ServersModule } from '@ozvps/servers';
import { UsersModule } from '@ozvps/users';
import { WalletModule } from '@ozvps/wallet';

/**
 * The config a test panel runs with: defaults, on the given database, no .env file. Admins sign in
 * with a password alone (ADMIN_REQUIRE_2FA=false) unless the test is about two-factor sign-in and
 * says ADMIN_REQUIRE_2FA: 'true'.
 */
export function testConfig(databaseUrl: string, overrides: NodeJS.ProcessEnv = {}): AppConfig {
  return loadConfig({
    DATABASE_URL: databaseUrl,
    NODE_ENV: 'test',
    OZVPS_ENV_FILE: '/dev/null',
    ADMIN_REQUIRE_2FA: 'false',
    ...overrides,
  });
}

/** A clock the test moves by hand: time is injected, never waited for. */
export class TestClock implements Clock {
  constructor(private at = new Date('2026-01-31T09:00:00Z')) {}

  now(): Date {
    return new Date(this.at.getTime());
  }

  set(at: Date): void {
    this.at = new Date(at.getTime());
  }

  advance(ms: number): void {
    this.at = new Date(this.at.getTime() + ms);
  }
}

/**
 * The real lib modules on a real database, as the API and CLI compose them. With `servers`, the
 * servers lib too (and billing, which it uses), on `clock` if one is given.
 */
export async function bootLibs(
  databaseUrl: string,
  options: { env?: NodeJS.ProcessEnv; servers?: boolean; clock?: Clock } = {},
): Promise<INestApplicationContext> {
  let builder = Test.createTestingModule({
    imports: [
      CoreConfigModule.forRoot(testConfig(databaseUrl, options.env)),
      DatabaseModule.forRoot(SCHEMA),
      EventEmitterModule.forRoot(),
      UsersModule,
      WalletModule,
      PlansModule,
      NotificationsModule,
      ...(options.servers ? [ServersModule] : []),
    ],
  });
  if (options.clock) builder = builder.overrideProvider(CLOCK).useValue(options.clock);
  return (await builder.compile()).init();
}
