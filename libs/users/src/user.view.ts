import type { User } from './user.entity';

/** A user as admins and scripts see them. The field names are a contract (`ozvpsctl --json`, admin API). */
export interface UserView {
  id: number;
  email: string;
  name: string;
  role: User['role'];
  stripeCustomerId: string | null;
  createdAt: string;
  /** When an admin disabled the account; null while it may sign in. */
  disabledAt: string | null;
}

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
