import { ExecutionContext } from '@nestjs/common';
import { ThrottlerModuleOptions } from '@nestjs/throttler';
import { STRIPE_WEBHOOK_PATH } from '../routes';
import { MAIL_RATE_LIMITED, TOKEN_RATE_LIMITED } from '../account/account.decorators';
import { AUTH_RATE_LIMITED } from './auth.decorators';
import { hashToken } from '@ozvps/users';
import { readSessionCookie } from './session-cookie';
import type { Request } from 'express';

const MINUTE = 60_000;

const isAuthAttempt = (ctx: ExecutionContext): boolean =>
  Reflect.getMetadata(AUTH_RATE_LIMITED, ctx.getHandler()) === true;

const isWebhook = (ctx: ExecutionContext): boolean =>
  ctx.switchToHttp().getRequest<{ path?: string }>().path === STRIPE_WEBHOOK_PATH;

const skipUnlessAccountAttempt = (ctx: ExecutionContext): boolean =>
  !isAuthAttempt(ctx) || !accountOf(ctx.switchToHttp().getRequest());

function accountOf(req: { body?: unknown }): string | undefined {
  const email = (req.body as { email?: unknown } | undefined)?.email;
  return typeof email === 'string' && email.trim() ? email.trim().toLowerCase().slice(0, 254) : undefined;
}

/**
 * Rate limits: a generous limit on every route per IP (the Stripe webhook has its own, larger
 * one). Sign-in and sign-up attempts: 30 per IP, 10 per account from one source (IP), and 100 per
 * account from all sources together in 15 minutes. Counting per account and source means someone
 * guessing at an account from one address cannot lock its owner out; the ceiling across sources
 * still stops a spread-out attack.
 */
/**
 * The limits counted in PostgreSQL, across every API process (SharedThrottlerStorage): the
 * sign-in attempts, which protect accounts and must not grow with the number of replicas. The
 * per-address request budgets ('default', 'webhook') stay in each process's memory: they only cap
 * floods, a flood must not cost the shared database a write per request, and behind N replicas
 * they allow N times their limit (the README says so).
 */
export const SHARED_RATE_LIMITS: ReadonlySet<string> = new Set([
  'auth-ip',
  'auth-account-source',
  'auth-account',
  'account-token-ip',
  'account-mail',
]);

const hasMeta =
  (key: string) =>
  (ctx: ExecutionContext): boolean =>
    Reflect.getMetadata(key, ctx.getHandler()) === true;

/**
 * Who an emailed message is for: the address in the body (forgot password), else the signed-in
 * session (re-send, change of email). Only hashes: a session token never becomes a counter key.
 */
function mailRecipientOf(req: Request): string {
  const email = accountOf(req);
  if (email) return `email:${email}`;
  const token = readSessionCookie(req);
  return token ? `session:${hashToken(token)}` : `ip:${req.ip}`;
}

export const RATE_LIMITS: ThrottlerModuleOptions = {
  throttlers: [
    { name: 'default', ttl: MINUTE, limit: 600, skipIf: isWebhook },
    // Stripe retries for days and delivers in bursts after an outage: a larger budget of its own.
    { name: 'webhook', ttl: MINUTE, limit: 3000, skipIf: (ctx) => !isWebhook(ctx) },
    { name: 'auth-ip', ttl: 15 * MINUTE, limit: 30, skipIf: (ctx) => !isAuthAttempt(ctx) },
    {
      name: 'auth-account-source',
      ttl: 15 * MINUTE,
      limit: 10,
      skipIf: skipUnlessAccountAttempt,
      getTracker: (req: { ip?: string; body?: unknown }) => `account:${accountOf(req)}|ip:${req.ip}`,
    },
    {
      name: 'auth-account',
      ttl: 15 * MINUTE,
      limit: 100,
      skipIf: skipUnlessAccountAttempt,
      getTracker: (req) => `account:${accountOf(req)}`,
    },
    // Emailed links and password checks (verify, reset, forgot, re-send, change password or email):
    // 20 tries per route and IP in 15 minutes, so neither a token nor a current password can be guessed.
    {
      name: 'account-token-ip',
      ttl: 15 * MINUTE,
      limit: 20,
      skipIf: (ctx) => !hasMeta(TOKEN_RATE_LIMITED)(ctx),
    },
    // Mail-sending requests: 5 an hour per recipient, so the panel cannot be used to flood a mailbox.
    {
      name: 'account-mail',
      ttl: 60 * MINUTE,
      limit: 5,
      skipIf: (ctx) => !hasMeta(MAIL_RATE_LIMITED)(ctx),
      getTracker: (req) => `mail:${mailRecipientOf(req as Request)}`,
    },
  ],
  errorMessage: 'Too many attempts: wait a few minutes and try again',
};
