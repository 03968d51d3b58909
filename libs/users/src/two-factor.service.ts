import { createHash, randomInt } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Secret, TOTP } from 'otpauth';
import { toDataURL } from 'qrcode';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@ozvps/core';
import { AuthService, ClientInfo, IssuedSession } from './auth.service';
import {
  InvalidSecondFactorError,
  NoEnrolmentStartedError,
  NoPendingSignInError,
  TwoFactorAlreadyEnabledError,
  TwoFactorNotEnabledError,
  TwoFactorRequiredForAdminsError,
} from './errors';
import { TwoFactorRepository } from './two-factor.repository';
import { User } from './user.entity';

const PERIOD_S = 30;
const DIGITS = 6;
/** One step either side of now: clocks drift, and people type slowly. */
const WINDOW = 1;
export const RECOVERY_CODE_COUNT = 10;
// Crockford-like: no 0/O, 1/I/L, so a code read off paper is typed right.
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

export interface TwoFactorEnrolment {
  /** Base32, for typing into an app by hand. Returned here once and never again. */
  secret: string;
  otpauthUrl: string;
  /** The otpauth URL as a PNG data URL. */
  qrCode: string;
}

export interface TwoFactorStatus {
  enabled: boolean;
  recoveryCodesLeft: number;
}

export type SecondFactorProof = { code: string } | { recoveryCode: string };

/**
 * Two-factor sign-in with TOTP (RFC 6238: SHA-1, 6 digits, 30 s) and single-use recovery codes.
 * The secret is stored in clear (README "Two-factor sign-in" says why); recovery codes as hashes.
 */
@Injectable()
export class TwoFactorService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: TwoFactorRepository,
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async status(userId: number): Promise<TwoFactorStatus> {
    const row = await this.repository.find(userId);
    const enabled = row?.enabledAt != null;
    return { enabled, recoveryCodesLeft: enabled ? await this.repository.unusedRecoveryCodes(userId) : 0 };
  }

  /** A new secret, stored but not active until confirmed; starting again replaces an unconfirmed one. */
  async startEnrolment(user: User): Promise<TwoFactorEnrolment> {
    const secret = new Secret({ size: 20 }).base32;
    if (!(await this.repository.savePending(user.id, secret))) throw new TwoFactorAlreadyEnabledError();
    const otpauthUrl = this.totp(secret, user.email).toString();
    return { secret, otpauthUrl, qrCode: await toDataURL(otpauthUrl, { margin: 2, width: 240 }) };
  }

  /** Activates the pending secret with a code from the app; returns the recovery codes, shown once. */
  async confirmEnrolment(user: User, code: unknown): Promise<string[]> {
    const row = await this.repository.find(user.id);
    if (row?.enabledAt != null) throw new TwoFactorAlreadyEnabledError();
    if (!row) throw new NoEnrolmentStartedError();
    const step = this.matchingStep(row.secret, code);
    if (step === null) throw new InvalidSecondFactorError();
    return this.dataSource.transaction(async (em) => {
      if (!(await this.repository.acceptStep(user.id, step, true, em))) throw new InvalidSecondFactorError();
      return this.newRecoveryCodes(user.id, em);
    });
  }

  /** A new set of recovery codes for a user with 2FA on (needs a current code); the old set dies. */
  async regenerateRecoveryCodes(user: User, code: unknown): Promise<string[]> {
    await this.checkCode(user.id, code);
    return this.dataSource.transaction((em) => this.newRecoveryCodes(user.id, em));
  }

  /** Turns 2FA off: needs the password (when the account has one) and a current code. */
  async disable(user: User, password: unknown, code: unknown): Promise<void> {
    if (this.config.adminRequire2fa && user.role === 'admin') throw new TwoFactorRequiredForAdminsError();
    // An account that signs in only through the identity provider has no password to ask for.
    if (user.passwordHash) await this.auth.checkPassword(user, password);
    await this.checkCode(user.id, code);
    await this.dataSource.transaction((em) => this.repository.clear(user.id, em));
  }

  /**
   * Completes a sign-in that gave its password: a TOTP code (not used before) or an unused
   * recovery code. The waiting session is ended and a full one issued (a new token).
   */
  async completeSignIn(
    pendingToken: string,
    proof: SecondFactorProof,
    client: ClientInfo,
  ): Promise<IssuedSession> {
    const pending = await this.auth.sessionForToken(pendingToken);
    if (!pending || !pending.secondFactorPending) throw new NoPendingSignInError();
    const userId = pending.user.id;
    if ('recoveryCode' in proof) {
      const ok = await this.repository.useRecoveryCode(userId, recoveryCodeHash(userId, proof.recoveryCode));
      if (!ok) throw new InvalidSecondFactorError();
    } else {
      await this.checkCode(userId, proof.code);
    }
    await this.auth.revoke(pendingToken);
    return this.auth.startSession(pending.user, client);
  }

  /** Removes 2FA and recovery codes in the caller's transaction (`users reset-2fa`); true when it was set. */
  clear(userId: number, em: EntityManager): Promise<boolean> {
    return this.repository.clear(userId, em);
  }

  private async checkCode(userId: number, code: unknown): Promise<void> {
    const row = await this.repository.find(userId);
    if (row?.enabledAt == null) throw new TwoFactorNotEnabledError();
    const step = this.matchingStep(row.secret, code);
    if (step === null || !(await this.repository.acceptStep(userId, step, false)))
      throw new InvalidSecondFactorError();
  }

  /** The time step `code` belongs to (now ± WINDOW), or null. */
  private matchingStep(secret: string, code: unknown): number | null {
    if (typeof code !== 'string') return null;
    const token = code.replace(/\s+/g, '');
    if (!/^[0-9]{6}$/.test(token)) return null;
    const now = Date.now();
    const delta = this.totp(secret).validate({ token, timestamp: now, window: WINDOW });
    return delta === null ? null : TOTP.counter({ period: PERIOD_S, timestamp: now }) + delta;
  }

  private totp(secret: string, label = ''): TOTP {
    return new TOTP({
      issuer: this.config.mail.panelName,
      label,
      algorithm: 'SHA1',
      digits: DIGITS,
      period: PERIOD_S,
      secret: Secret.fromBase32(secret),
    });
  }

  private async newRecoveryCodes(userId: number, em: EntityManager): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => {
      const chars = Array.from({ length: 10 }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]);
      return `${chars.slice(0, 5).join('')}-${chars.slice(5).join('')}`;
    });
    await this.repository.replaceRecoveryCodes(
      userId,
      codes.map((c) => recoveryCodeHash(userId, c)),
      em,
    );
    return codes;
  }
}

/**
 * Recovery codes carry ~49 bits of randomness and attempts are rate-limited, so a salted SHA-256
 * is enough (a slow hash would cost a verify per stored code). Letter case, spaces and dashes are
 * not part of the code.
 */
function recoveryCodeHash(userId: number, code: unknown): string {
  const normalised =
    typeof code === 'string'
      ? code
          .toLowerCase()
          .replace(/[\s-]+/g, '')
          .slice(0, 64)
      : '';
  return createHash('sha256').update(`ozvps-recovery:${userId}:${normalised}`).digest('hex');
}
