import { randomBytes } from 'node:crypto';
import { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CreateUserInput, User, UsersService } from '@ozvps/users';
import { WalletService } from '@ozvps/wallet';

/** A user with a unique email; override anything. */
export function aUser(app: INestApplicationContext, overrides: Partial<CreateUserInput> = {}): Promise<User> {
  return app.get(UsersService).create({
    email: `user-${randomBytes(4).toString('hex')}@example.test`,
    name: 'Test User',
    ...overrides,
  });
}

/** A user whose wallet already holds `cents`, put there by one admin credit. */
export async function aUserWithBalance(app: INestApplicationContext, cents: number): Promise<User> {
  const user = await aUser(app);
  await app.get(WalletService).credit({
    userId: user.id,
    amountCents: cents,
    type: 'admin_credit',
    actor: 'test',
    reason: 'opening balance',
  });
  return user;
}

/** A plan on sale as a VirtFusion sync would leave it (package 7, "Small", A$15.00); returns its id. */
export async function aPlanOnSale(ds: DataSource): Promise<number> {
  const [{ id }] = (await ds.query(
    `INSERT INTO plans (virtfusion_package_id, name, vcpu, memory_mb, storage_gb, traffic_gb,
       network_speed_in_mbps, network_speed_out_mbps, enabled, present, active, price_monthly_cents, last_synced_at)
     VALUES (7, 'Small', 1, 1024, 20, 0, 1000, 1000, true, true, true, 1500, now()) RETURNING id::int AS id`,
  )) as { id: number }[];
  return id;
}
