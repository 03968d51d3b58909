import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig, AuditTrail, UnauthenticatedError } from '@ozvps/core';
import { AccountDisabledError } from './errors';
import { assertAcceptablePassword } from './password-policy';
import { SessionsRepository } from './sessions.repository';
import { TwoFactorRepository } from './two-factor.repository';
import { User } from './user.entity';
import { UsersRepository } from './users.repository';

/** Wrong email or wrong password: one error for both, so sign-in does not reveal who has an account. */
export class InvalidCredentialsError extends UnauthenticatedError {
  override readonly code = 'invalid_credentials';

  constructor() {
    super('Email or password is incorrect');
  }
}

export interface IssuedSession {
  token: string;
  expiresAt: Date;
  user: User;
  /** The password was right but a second factor is owed: the session can only verify it. */
  secondFactorPending: boolean;
}

/** What a live session may do: everything, only finish signing in, or (admins) only enrol 2FA. */
export type SessionStage = 'full' | 'second-factor' | 'enrolment';

export interface LiveSession {
  user: User;
  secondFactorPending: boolean;
  twoFactorEnabled: boolean;
  stage: SessionStage;
}

/** How long a sign-in may wait for its second factor. */
const PENDING_SECOND_FACTOR_MS = 10 * 60_000;

export interface ClientInfo {
  ip?: string | null;
  userAgent?: string | null;
}

// Verifying against this keeps an unknown email as slow as a wrong password.
const DUMMY_HASH = argon2Hash('not a real password');

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Passwords (argon2id) and browser sessions (opaque tokens, stored hashed, revocable). */
@Injectable()
export class AuthService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersRepository,
    private readonly sessions: SessionsRepository,
    private readonly twoFactor: TwoFactorRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Checks the password policy and returns the argon2id hash to store. */
  async hashPassword(password: string, email?: string): Promise<string> {
    assertAcceptablePassword(password, email);
    // @node-rs/argon2 hashes with argon2id by default (OWASP's parameters: 19 MiB, t=2, p=1).
    return argon2Hash(password);
  }

  /** Signs a user in with email and password; the same error for an unknown email and a wrong password. */
  async login(email: unknown, password: unknown, client: ClientInfo = {}): Promise<IssuedSession> {
    if (typeof email !== 'string' || typeof password !== 'string' || password.length > 1024) {
      throw new InvalidCredentialsError();
    }
    const user = await this.users.findByEmail(email.trim());
    const ok = user?.passwordHash
      ? await argon2Verify(user.passwordHash, password).catch(() => false)
      : await argon2Verify(await DUMMY_HASH, password).then(() => false);
    if (!user || !ok) throw new InvalidCredentialsError();
    return this.signIn(user, client);
  }

  /**
   * Signs in a user who proved the first factor (password, identity provider): a full session, or,
   * with two-factor sign-in on, a short one that can only verify the second factor.
   */
  async signIn(user: User, client: ClientInfo = {}): Promise<IssuedSession> {
    const pending = await this.twoFactor.isEnabled(user.id);
    return this.startSession(user, client, { secondFactorPending: pending });
  }

  /** Opens a new session for a user who has just proved who they are. */
  async startSession(
    user: User,
    client: ClientInfo = {},
    options: { secondFactorPending?: boolean } = {},
  ): Promise<IssuedSession> {
    if (user.disabledAt) throw new AccountDisabledError();
    const token = randomBytes(32).toString('base64url');
    const secondFactorPending = options.secondFactorPending === true;
    const expiresAt = new Date(
      Date.now() + (secondFactorPending ? PENDING_SECOND_FACTOR_MS : this.config.sessionTtlHours * 3_600_000),
    );
    await this.sessions.insert({
      userId: user.id,
      tokenHash: hashToken(token),
      expiresAt,
      ip: client.ip?.slice(0, 100) ?? null,
      userAgent: client.userAgent?.slice(0, 300) ?? null,
      secondFactorPending,
    });
    return { token, expiresAt, user, secondFactorPending };
  }

  /** A live session and what it may do (see SessionStage), or null when unknown, revoked or expired. */
  async sessionForToken(token: string): Promise<LiveSession | null> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
    const session = await this.sessions.findLive(hashToken(token));
    if (!session) return null;
    // At most one write a minute per session, not one per request.
    if (!session.lastSeenAt || Date.now() - session.lastSeenAt.getTime() >= 60_000) {
      await this.sessions.touch(session.id);
    }
    const stage: SessionStage = session.secondFactorPending
      ? 'second-factor'
      : this.config.adminRequire2fa && session.user.role === 'admin' && !session.twoFactorEnabled
        ? 'enrolment'
        : 'full';
    return {
      user: session.user,
      secondFactorPending: session.secondFactorPending,
      twoFactorEnabled: session.twoFactorEnabled,
      stage,
    };
  }

  /** Throws InvalidCredentialsError unless `password` is the user's (an account without one never matches). */
  async checkPassword(user: User, password: unknown): Promise<void> {
    const ok =
      typeof password === 'string' && password.length <= 1024 && user.passwordHash
        ? await argon2Verify(user.passwordHash, password).catch(() => false)
        : false;
    if (!ok) throw new InvalidCredentialsError();
  }

  /** Ends one session (sign out). */
  async revoke(token: string): Promise<void> {
    await this.sessions.revokeByHash(hashToken(token));
  }

  /** Ends every session of a user (in the caller's transaction when given); returns how many. */
  revokeAllSessions(userId: number, em?: EntityManager): Promise<number> {
    return this.sessions.revokeAllForUser(userId, em);
  }

  /**
   * Sets a new password and ends every session of the user, in one transaction; returns sessions
   * ended. An admin or operator `actor` is audited (never the password or its hash).
   */
  async setPassword(user: User, password: string, actor?: string): Promise<number> {
    const hash = await this.hashPassword(password, user.email);
    return this.dataSource.transaction(async (em) => {
      await this.users.update(user.id, { passwordHash: hash }, em);
      const revoked = await this.sessions.revokeAllForUser(user.id, em);
      if (actor)
        await AuditTrail.recordIfStaff(em, {
          actor,
          action: 'users.set-password',
          target: { type: 'user', id: user.id },
          before: { hadPassword: user.passwordHash !== null },
          after: { hadPassword: true, sessionsRevoked: revoked },
        });
      return revoked;
    });
  }

  /** Ends every session of the user (an admin's "sign out everywhere", audited as `actor`). */
  signOutEverywhere(user: User, actor: string): Promise<number> {
    return this.dataSource.transaction(async (em) => {
      const revoked = await this.sessions.revokeAllForUser(user.id, em);
      await AuditTrail.record(em, {
        actor,
        action: 'users.sign-out-everywhere',
        target: { type: 'user', id: user.id },
        after: { sessionsRevoked: revoked },
      });
      return revoked;
    });
  }
}
