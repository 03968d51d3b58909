import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { isUniqueViolation } from '@ozvps/core';
import { EmailTakenError } from './errors';
import { User, UserRole } from './user.entity';

export interface NewUser {
  email: string;
  name: string;
  role: UserRole;
  passwordHash?: string | null;
  auth0Sub?: string | null;
}

/** The only code that speaks TypeORM for the `users` table. */
@Injectable()
export class UsersRepository {
  private readonly repo: Repository<User>;

  constructor(dataSource: DataSource) {
    this.repo = dataSource.getRepository(User);
  }

  findById(id: number, em?: EntityManager): Promise<User | null> {
    return this.using(em).findOneBy({ id });
  }

  findByEmail(email: string, em?: EntityManager): Promise<User | null> {
    return this.using(em).createQueryBuilder('u').where('lower(u.email) = lower(:email)', { email }).getOne();
  }

  findByStripeCustomerId(customerId: string, em?: EntityManager): Promise<User | null> {
    return this.using(em).findOneBy({ stripeCustomerId: customerId });
  }

  /** Stores the Stripe customer only if the user has none yet; returns whether it was stored. */
  async setStripeCustomerIdIfUnset(id: number, customerId: string): Promise<boolean> {
    const result = await this.using()
      .createQueryBuilder()
      .update(User)
      .set({ stripeCustomerId: customerId })
      .where('id = :id AND stripe_customer_id IS NULL', { id })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  findByAuth0Sub(sub: string, em?: EntityManager): Promise<User | null> {
    return this.using(em).findOneBy({ auth0Sub: sub });
  }

  async insert(user: NewUser, em?: EntityManager): Promise<User> {
    try {
      return await this.using(em).save(this.using(em).create(user));
    } catch (err) {
      if (isUniqueViolation(err, 'users_email_lower_key')) {
        throw new EmailTakenError(user.email);
      }
      throw err;
    }
  }

  async update(
    id: number,
    changes: Partial<
      Pick<
        User,
        'passwordHash' | 'role' | 'name' | 'auth0Sub' | 'stripeCustomerId' | 'receiptsEmail' | 'disabledAt'
      >
    >,
    em?: EntityManager,
  ): Promise<void> {
    await this.using(em).update({ id }, changes);
  }

  /** The email of each linked Stripe customer among `customerIds` (one query). */
  async emailsByStripeCustomer(customerIds: string[]): Promise<Map<string, string>> {
    if (customerIds.length === 0) return new Map();
    const rows = (await this.repo.query(
      `SELECT stripe_customer_id, email FROM users WHERE stripe_customer_id = ANY($1::text[])`,
      [customerIds],
    )) as { stripe_customer_id: string; email: string }[];
    return new Map(rows.map((r) => [r.stripe_customer_id, r.email]));
  }

  /** Marks the address verified if it is still the user's address; returns whether it was marked now. */
  async markEmailVerified(id: number, email: string, em: EntityManager): Promise<boolean> {
    const result = await this.using(em)
      .createQueryBuilder()
      .update(User)
      .set({ emailVerifiedAt: () => 'now()' })
      .where('id = :id AND lower(email) = lower(:email) AND email_verified_at IS NULL', { id, email })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Moves the user to a new (already verified) address; another account holding it is EmailTakenError. */
  async changeEmail(id: number, email: string, em: EntityManager): Promise<void> {
    try {
      await this.using(em).update({ id }, { email, emailVerifiedAt: () => 'now()' });
    } catch (err) {
      if (isUniqueViolation(err, 'users_email_lower_key')) throw new EmailTakenError(email);
      throw err;
    }
  }

  /** Users by id, `limit` per page after `afterId`; `query` narrows to emails or names containing it. */
  list(limit: number, afterId?: number, query?: string): Promise<User[]> {
    const qb = this.repo.createQueryBuilder('u').orderBy('u.id', 'ASC').limit(limit).where('TRUE');
    if (afterId !== undefined) qb.andWhere('u.id > :afterId', { afterId });
    if (query) {
      const like = `%${query.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      qb.andWhere(`(lower(u.email) LIKE :like OR lower(COALESCE(u.name, '')) LIKE :like)`, { like });
    }
    return qb.getMany();
  }

  private using(em?: EntityManager): Repository<User> {
    return em ? em.getRepository(User) : this.repo;
  }
}
