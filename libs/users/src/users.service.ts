import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditTrail, hasControlCharacters, isDeliverableAddress, ValidationError } from '@ozvps/core';
import { SelfDisableError, UserNotFoundError } from './errors';
import { SessionsRepository } from './sessions.repository';
import { User, USER_ROLES, UserRole } from './user.entity';
import { UsersRepository } from './users.repository';

export interface CreateUserInput {
  email: string;
  name?: string;
  role?: UserRole;
  passwordHash?: string | null;
  auth0Sub?: string | null;
}

/** With a dot in the domain; what the outbox can deliver is checked by isDeliverableAddress. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_EMAIL = 254;
const MAX_NAME = 200;

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly sessions: SessionsRepository,
    private readonly dataSource: DataSource,
  ) {}

  /** Finds a user by numeric id or email; the CLI and admin screens accept either. */
  async findByReference(reference: string, em?: EntityManager): Promise<User> {
    const ref = reference.trim();
    let user: User | null = null;
    if (/^[1-9][0-9]{0,15}$/.test(ref)) user = await this.users.findById(Number(ref), em);
    else if (ref.includes('@')) user = await this.users.findByEmail(ref, em);
    else throw new ValidationError(`"${ref.slice(0, 60)}" is neither a user id nor an email address`);
    if (!user) throw new UserNotFoundError(/^[0-9]+$/.test(ref) ? Number(ref) : ref);
    return user;
  }

  /** Finds a user by id or throws UserNotFoundError. */
  async getById(id: number, em?: EntityManager): Promise<User> {
    const user = await this.users.findById(id, em);
    if (!user) throw new UserNotFoundError(id);
    return user;
  }

  /** Creates a user; the email is stored lower-cased and must be unused in any letter case. */
  create(input: CreateUserInput, em?: EntityManager): Promise<User> {
    const email = normaliseEmail(input.email);
    const name = (input.name ?? '').trim();
    if (name.length > MAX_NAME) throw new ValidationError(`name must be at most ${MAX_NAME} characters`);
    if (hasControlCharacters(name))
      throw new ValidationError('name must not contain control characters (such as escape or tab)');
    const role = input.role ?? 'user';
    if (!USER_ROLES.includes(role)) throw new ValidationError(`role must be one of ${USER_ROLES.join(', ')}`);
    return this.users.insert(
      { email, name, role, passwordHash: input.passwordHash ?? null, auth0Sub: input.auth0Sub ?? null },
      em,
    );
  }

  /** The user Stripe knows as this customer, if any. */
  findByStripeCustomerId(customerId: string, em?: EntityManager): Promise<User | null> {
    return this.users.findByStripeCustomerId(customerId, em);
  }

  /** Links a Stripe customer to a user that has none; the first link wins and is returned. */
  async linkStripeCustomer(user: User, customerId: string): Promise<User> {
    await this.users.setStripeCustomerIdIfUnset(user.id, customerId);
    return this.getById(user.id);
  }

  /** The user an identity provider knows by this subject, if any. */
  findByAuth0Sub(sub: string, em?: EntityManager): Promise<User | null> {
    return this.users.findByAuth0Sub(sub, em);
  }

  /** Finds a user by email (any letter case), or null. */
  findByEmail(email: string, em?: EntityManager): Promise<User | null> {
    return this.users.findByEmail(email, em);
  }

  /** Records the identity provider's subject on an existing user. */
  async linkAuth0Sub(user: User, sub: string, em?: EntityManager): Promise<User> {
    await this.users.update(user.id, { auth0Sub: sub }, em);
    return { ...user, auth0Sub: sub };
  }

  /** Changes a user's role (audited as `actor`); returns the updated user. */
  async setRole(user: User, role: UserRole, actor: string): Promise<User> {
    if (!USER_ROLES.includes(role))
      throw new ValidationError(
        `role must be one of ${USER_ROLES.join(', ')} (got "${String(role).slice(0, 20)}")`,
      );
    await this.dataSource.transaction(async (em) => {
      const now = await this.getById(user.id, em);
      if (now.role === role) return;
      await this.users.update(user.id, { role }, em);
      await AuditTrail.record(em, {
        actor,
        action: 'users.set-role',
        target: { type: 'user', id: user.id },
        before: { role: now.role },
        after: { role },
      });
    });
    return this.getById(user.id);
  }

  /**
   * Disables (no sign-in, every session ended) or enables an account, audited as `actor`. Their
   * servers keep running. An admin cannot disable themselves (`selfId`); already so = no change.
   */
  async setDisabled(user: User, disabled: boolean, actor: string, selfId?: number): Promise<User> {
    if (disabled && selfId === user.id) throw new SelfDisableError();
    await this.dataSource.transaction(async (em) => {
      const now = await this.getById(user.id, em);
      if ((now.disabledAt !== null) === disabled) return;
      const disabledAt = disabled ? new Date() : null;
      await this.users.update(user.id, { disabledAt }, em);
      const sessionsRevoked = disabled ? await this.sessions.revokeAllForUser(user.id, em) : 0;
      await AuditTrail.record(em, {
        actor,
        action: disabled ? 'users.disable' : 'users.enable',
        target: { type: 'user', id: user.id },
        before: { disabledAt: now.disabledAt?.toISOString() ?? null },
        after: { disabledAt: disabledAt?.toISOString() ?? null, ...(disabled ? { sessionsRevoked } : {}) },
      });
    });
    return this.getById(user.id);
  }

  /** The customer's own switch: receipts by email on or off (notices are always sent). */
  async setReceiptsEmail(user: User, receiptsEmail: boolean): Promise<User> {
    if (typeof receiptsEmail !== 'boolean') throw new ValidationError('receiptsEmail must be true or false');
    await this.users.update(user.id, { receiptsEmail });
    return this.getById(user.id);
  }

  /** Which user's email goes with each Stripe customer id (the admin Stripe page). */
  emailsByStripeCustomer(customerIds: string[]): Promise<Map<string, string>> {
    return this.users.emailsByStripeCustomer([...new Set(customerIds)]);
  }

  /** Users in id order, keyset-paginated. */
  list(limit = 100, afterId?: number, query?: string): Promise<User[]> {
    return this.users.list(limit, afterId, query?.trim() || undefined);
  }
}

export function normaliseEmail(raw: string): string {
  const email = raw.trim().toLowerCase();
  if (email.length > MAX_EMAIL || !EMAIL.test(email) || !isDeliverableAddress(email)) {
    throw new ValidationError(`"${raw.slice(0, 80)}" is not a valid email address`);
  }
  return email;
}
