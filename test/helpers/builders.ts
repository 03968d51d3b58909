import { randomBytes } from 'node:crypto';
import { INestApplicationContext } from '@nestjs/common';
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
