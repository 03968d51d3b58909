import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig, ValidationError } from '@ozvps/core';
import {
  AuthService,
  ClientInfo,
  CredentialsService,
  CreateUserInput,
  EmailTakenError,
  IssuedSession,
  normaliseEmail,
  User,
  UsersService,
} from '@ozvps/users';
import { Outbox } from '@ozvps/notifications';
import { WalletService } from '@ozvps/wallet';
import { EmailVerificationService } from './email-verification.service';
import { SignupRefusedError } from './errors';

export interface SignupInput {
  email: unknown;
  password: unknown;
  name?: unknown;
}

/** Sign-up: the user, their sign-up credit and their first session, across users and wallet. */
@Injectable()
export class AccountsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly auth: AuthService,
    private readonly wallet: WalletService,
    private readonly outbox: Outbox,
    private readonly credentials: CredentialsService,
    private readonly emailVerification: EmailVerificationService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Creates a local account. The user row and the sign-up credit commit together, and the credit
   * carries the key `signup-credit:<id>`, so no retry can pay it twice.
   */
  async signup(input: SignupInput, client: ClientInfo = {}): Promise<IssuedSession> {
    if (typeof input.email !== 'string') throw new ValidationError('email is required');
    if (input.name !== undefined && typeof input.name !== 'string')
      throw new ValidationError('name must be a string');
    const email = normaliseEmail(input.email);
    // Hashed before we know whether the email is taken, so both answers cost the same work.
    const passwordHash = await this.auth.hashPassword(input.password as string, email);
    let user: User;
    try {
      user = await this.dataSource.transaction(async (em) => {
        const created = await this.users.create(
          { email, name: input.name as string | undefined, passwordHash },
          em,
        );
        await this.openAccount(created, em);
        await this.emailVerification.sendVerification(created, em);
        return created;
      });
    } catch (err) {
      // Sign-up must not tell a stranger which emails are registered (sign-in does not either).
      if (err instanceof EmailTakenError) throw new SignupRefusedError();
      throw err;
    }
    return this.auth.startSession(user, client);
  }

  /**
   * A user made by an operator (`ozvpsctl users create`): the user, their wallet and the welcome
   * commit together, like every other way in, but no sign-up credit (that is for self-service sign-up).
   */
  async createByOperator(input: CreateUserInput): Promise<User> {
    return this.dataSource.transaction(async (em) => {
      const created = await this.users.create(input, em);
      await this.wallet.openWallet(created.id, em);
      await this.welcome(created, em);
      // The operator typed the address for this person: it counts as checked.
      await this.credentials.markEmailVerified(created.id, created.email, em);
      return { ...created, emailVerifiedAt: new Date() };
    });
  }

  /**
   * An account made at first sign-in through an identity provider: no password, same sign-up
   * credit. Verified when the provider says it verified the address; otherwise a link is sent.
   */
  async createFromIdentityProvider(input: {
    email: string;
    name?: string;
    auth0Sub: string;
    emailVerified: boolean;
  }): Promise<User> {
    const email = normaliseEmail(input.email);
    return this.dataSource.transaction(async (em) => {
      const created = await this.users.create(
        { email, name: input.name?.slice(0, 200), auth0Sub: input.auth0Sub },
        em,
      );
      await this.openAccount(created, em);
      if (!input.emailVerified) {
        await this.emailVerification.sendVerification(created, em);
        return created;
      }
      await this.credentials.markEmailVerified(created.id, created.email, em);
      return { ...created, emailVerifiedAt: new Date() };
    });
  }

  /**
   * The new user's wallet, the sign-up credit if one is configured, and the welcome message: all
   * in the sign-up's transaction, so a failed sign-up sends no welcome.
   */
  private async openAccount(user: User, em: EntityManager): Promise<void> {
    await this.wallet.openWallet(user.id, em);
    await this.grantSignupCredit(user.id, em);
    await this.welcome(user, em);
  }

  private async welcome(user: User, em: EntityManager): Promise<void> {
    await this.outbox.enqueue(em, {
      kind: 'welcome',
      to: user.email,
      userId: user.id,
      dedupeKey: `welcome:${user.id}`,
      data: { name: user.name },
    });
  }

  private async grantSignupCredit(userId: number, em: EntityManager): Promise<void> {
    if (this.config.signupCreditCents <= 0) return;
    await this.wallet.credit(
      {
        userId,
        amountCents: this.config.signupCreditCents,
        type: 'bonus',
        actor: 'system',
        reason: 'sign-up credit',
        idempotencyKey: `signup-credit:${userId}`,
      },
      em,
    );
  }
}
