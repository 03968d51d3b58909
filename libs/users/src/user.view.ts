import type { UserView } from '@ozvps/contracts';
import type { User } from './user.entity';

/** A user as admins and scripts see them. The field names are a contract (`ozvpsctl --json`, admin API). */
export type { UserView };

export function toUserView(u: User): UserView {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    stripeCustomerId: u.stripeCustomerId,
    createdAt: u.createdAt.toISOString(),
    disabledAt: u.disabledAt?.toISOString() ?? null,
  };
}
