import 'reflect-metadata';
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { plainToInstance, Transform } from 'class-transformer';
import type { ValidationError as ClassValidationError } from 'class-validator';
import { parse as parseDotenv } from 'dotenv';
import { ConfigError } from '../errors';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  validateSync,
} from './config-validators';
import { isDeliverableAddress } from '../text';
import { abnProblem } from '../abn';

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?[0-9]+$/.test(value.trim()) ? Number(value.trim()) : value;
const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const emptyToUndefined = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() === '' ? undefined : trimmed({ value });

/** The environment as the panel understands it; built once at start and never read again. */
export class EnvironmentVariables {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number' })
  @Min(1)
  @Max(65535)
  PORT: number = 3000;

  @Transform(trimmed)
  @IsString()
  HOST: string = '0.0.0.0';

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsUrl(
    { require_tld: false, require_protocol: true, protocols: ['http', 'https'] },
    { message: 'must be an http(s) URL' },
  )
  APP_URL?: string = undefined;

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// URL' })
  DATABASE_URL?: string = undefined;

  /** The role that owns the schema: used only to migrate (and grant), then closed. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// URL' })
  DATABASE_OWNER_URL?: string = undefined;

  @Transform(trimmed)
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  OZVPS_DATA_DIR: string = './.data';

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number' })
  @Min(1024)
  @Max(65535)
  OZVPS_EMBEDDED_PG_PORT: number = 54329;

  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @Matches(/^[a-z]{3}$/, { message: 'must be a three-letter ISO currency code such as aud' })
  WALLET_CURRENCY: string = 'aud';

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of cents' })
  @Min(1)
  @Max(1_000_000_000_00)
  WALLET_MAX_ADJUST_CENTS: number = 10_000_000;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of hours' })
  @Min(1)
  @Max(24 * 365)
  SESSION_TTL_HOURS: number = 24 * 14;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of cents' })
  @Min(0)
  @Max(1_000_000)
  SIGNUP_CREDIT_CENTS: number = 0;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsUrl(
    { require_tld: false, require_protocol: true, protocols: ['http', 'https'] },
    { message: 'must be an http(s) URL' },
  )
  OIDC_ISSUER_URL?: string = undefined;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  OIDC_CLIENT_ID?: string = undefined;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  OIDC_CLIENT_SECRET?: string = undefined;

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^.{1,40}$/, { message: 'must be a short label, at most 40 characters' })
  OIDC_PROVIDER_NAME?: string = undefined;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsUrl(
    { require_tld: false, require_protocol: true, protocols: ['http', 'https'] },
    { message: 'must be an http(s) URL, the VirtFusion panel without /api/v1' },
  )
  VIRTFUSION_URL?: string = undefined;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  VIRTFUSION_API_TOKEN?: string = undefined;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(500)
  @Max(120_000)
  VIRTFUSION_TIMEOUT_MS: number = 10_000;

  /** The hypervisor group new servers are placed in (VirtFusion's `hypervisorId` on POST /servers). */
  @Transform(toInt)
  @IsOptional()
  @IsInt({ message: 'must be a whole number (the id of a hypervisor group in VirtFusion)' })
  @Min(1)
  VIRTFUSION_HYPERVISOR_GROUP_ID?: number = undefined;

  /** Hours an unpaid renewal waits before the server is suspended. */
  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of hours' })
  @Min(0)
  @Max(24 * 60)
  GRACE_HOURS: number = 24;

  /** Days a server stays suspended for non-payment before it is deleted in VirtFusion. */
  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of days' })
  @Min(1)
  @Max(365)
  TERMINATE_AFTER_DAYS: number = 14;

  /** Days of notice before a reprice of existing servers may apply (it starts at a renewal at least this far ahead). */
  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of days' })
  @Min(0)
  @Max(3650)
  REPRICE_NOTICE_DAYS: number = 30;

  /** Days before a renewal the wallet will not cover that the customer is reminded (0: no reminders). */
  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of days' })
  @Min(0)
  @Max(28)
  RENEWAL_REMINDER_DAYS: number = 3;

  /** Days before a suspended server is terminated that its owner gets a final warning. */
  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of days' })
  @Min(1)
  @Max(365)
  FINAL_WARNING_DAYS: number = 2;

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^(sk|rk)_(test|live)_[A-Za-z0-9_]{8,}$/, {
    message: 'must be a Stripe secret key (sk_test_… or sk_live_…)',
  })
  STRIPE_SECRET_KEY?: string = undefined;

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^pk_(test|live)_[A-Za-z0-9_]{8,}$/, {
    message: 'must be a Stripe publishable key (pk_test_… or pk_live_…)',
  })
  STRIPE_PUBLISHABLE_KEY?: string = undefined;

  /** One secret, or several separated by commas while rotating. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^whsec_[A-Za-z0-9_+/=]{8,}(\s*,\s*whsec_[A-Za-z0-9_+/=]{8,})*$/, {
    message: 'must be a webhook signing secret (whsec_…), or several separated by commas',
  })
  STRIPE_WEBHOOK_SECRET?: string = undefined;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsUrl(
    { require_tld: false, require_protocol: true, protocols: ['http', 'https'] },
    { message: 'must be an http(s) URL' },
  )
  STRIPE_API_BASE?: string = undefined;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of cents' })
  @Min(50)
  @Max(100_000_000)
  TOPUP_MIN_CENTS: number = 500;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of cents' })
  @Min(50)
  @Max(100_000_000)
  TOPUP_MAX_CENTS: number = 100_000;

  @Transform(trimmed)
  @Matches(/^\d+(\s*,\s*\d+)*$/, {
    message: 'must be amounts in cents separated by commas, like 1000,2500,5000',
  })
  TOPUP_PRESETS_CENTS: string = '1000,2500,5000,10000';

  /** Five-field cron expression, or `off`. */
  @Transform(trimmed)
  @Matches(/^(off|(\S+\s+){4}\S+)$/, {
    message: 'must be a five-field cron expression such as */10 * * * *, or off',
  })
  PLAN_SYNC_CRON: string = '*/10 * * * *';

  /**
   * Tests only (NODE_ENV=test): one cron expression with a seconds field, such as `0-59/2 * * * * *`,
   * that every scheduled job runs on instead of its own, so a test sees several ticks in seconds.
   */
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^(\S+\s+){5}\S+$/, { message: 'must be a six-field cron expression (with seconds)' })
  OZVPS_TEST_JOBS_CRON?: string = undefined;

  /** Set by `npm run sandbox`: Stripe and VirtFusion are the local fakes; the UI shows a banner. */
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsIn(['0', '1', 'true', 'false'], { message: 'must be 1 or 0' })
  OZVPS_SANDBOX: string = '0';

  /**
   * Which proxies may set X-Forwarded-For (Express's `trust proxy`): `loopback`, a comma list of
   * addresses, CIDR ranges or the names loopback/linklocal/uniquelocal, or a hop count. Checked in
   * loadConfig (trustProxyOf), where `true` is refused.
   */
  @Transform(trimmed)
  @IsString()
  TRUST_PROXY: string = 'loopback';

  /** Outgoing mail: smtp:// or smtps://, optionally with user:pass. Unset: messages are held. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  SMTP_URL?: string = undefined;

  /** How long the SMTP connection may take to open, greet, or answer before a send is retried later. */
  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(200)
  @Max(300_000)
  SMTP_TIMEOUT_MS: number = 30_000;

  /** The From of every message: an address, or `Name <address>`. */
  @Transform(trimmed)
  @IsString()
  MAIL_FROM: string = 'OzVPS <noreply@localhost>';

  /** Where admin alerts (dead messages, failed jobs) go, one address or a comma-separated list; unset: none. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  ADMIN_ALERT_EMAIL?: string = undefined;

  /** The panel's name in messages and page titles. */
  @Transform(trimmed)
  @Matches(/^[^<>\r\n]{1,60}$/, { message: 'must be a short name, at most 60 characters, without < or >' })
  PANEL_NAME: string = 'OzVPS';

  /** Where `ozvpsctl backup now` writes its dumps (an absolute path); unset: backups are not configured. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^\/[^\r\n]*$/, { message: 'must be an absolute path, such as /opt/ozvps-panel/backups' })
  BACKUP_DIR?: string = undefined;

  /** Days a dump is kept; the newest one is always kept whatever its age. */
  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of days' })
  @Min(1)
  @Max(3650)
  BACKUP_KEEP_DAYS: number = 14;

  // The seller on tax invoices, adjustment notes and receipts (issue 18); each document keeps a copy.
  /** The seller's name on documents; unset: PANEL_NAME. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^[^<>\r\n]{1,120}$/, { message: 'must be a name of at most 120 characters, without < or >' })
  BUSINESS_NAME?: string = undefined;

  /** The seller's ABN (11 digits, spaces allowed), checked in loadConfig (abnProblem). */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  BUSINESS_ABN?: string = undefined;

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^[^<>\r\n]{1,200}$/, {
    message: 'must be one line of at most 200 characters, without < or > (use commas between lines)',
  })
  BUSINESS_ADDRESS?: string = undefined;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  BUSINESS_EMAIL?: string = undefined;

  /** Registered for GST: documents for sales are tax invoices with the GST (1/11 of the price) shown. */
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsIn(['0', '1', 'true', 'false'], { message: 'must be true or false' })
  GST_REGISTERED: string = 'false';

  /** Admins must sign in with a second factor; one without it can only enrol (see README "Two-factor sign-in"). */
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsIn(['0', '1', 'true', 'false'], { message: 'must be true or false' })
  ADMIN_REQUIRE_2FA: string = 'true';
  // --- the business's public page (issue 20) ---
  /** Where customers write for help; shown on the front page and in the footer. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  SUPPORT_EMAIL?: string = undefined;

  /** The business's terms of service, an https:// page. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsUrl(
    { protocols: ['https'], require_protocol: true, require_tld: true },
    { message: 'must be an https:// URL' },
  )
  TERMS_URL?: string = undefined;

  /** The business's privacy policy, an https:// page. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsUrl(
    { protocols: ['https'], require_protocol: true, require_tld: true },
    { message: 'must be an https:// URL' },
  )
  PRIVACY_URL?: string = undefined;
  // --- end of the business's public page ---

  @IsIn(['error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL: 'error' | 'warn' | 'log' | 'debug' | 'verbose' = 'log';

  /** `text`: the human-readable lines; `json`: one JSON object per line (pino), with a request id. */
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsIn(['text', 'json'], { message: 'must be text or json' })
  LOG_FORMAT: 'text' | 'json' = 'text';

  /** The bearer token GET /metrics wants; unset: no metrics endpoint at all (404). */
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^[\x21-\x7e]{24,200}$/, {
    message: 'must be 24 to 200 printable characters without spaces (e.g. openssl rand -hex 32)',
  })
  METRICS_TOKEN?: string = undefined;
}

/** Derived, typed configuration the rest of the code reads. */
export interface AppConfig {
  readonly nodeEnv: EnvironmentVariables['NODE_ENV'];
  readonly port: number;
  readonly host: string;
  readonly appUrl: string;
  readonly databaseUrl: string | undefined;
  /** Migrations and grants run on this connection when set; the panel itself never uses it. */
  readonly databaseOwnerUrl: string | undefined;
  readonly dataDir: string;
  readonly embeddedPgPort: number;
  readonly walletCurrency: string;
  readonly walletMaxAdjustCents: number;
  readonly logLevel: EnvironmentVariables['LOG_LEVEL'];
  readonly sessionTtlHours: number;
  readonly signupCreditCents: number;
  /** Cookies get `Secure` when the panel is served over https. */
  readonly secureCookies: boolean;
  /** Express's `trust proxy`: a hop count, or the addresses and ranges whose X-Forwarded-For counts. */
  readonly trustProxy: number | readonly string[];
  /** VirtFusion's API (base URL with /api/v1), when both VIRTFUSION_* values are set. */
  readonly virtfusion: VirtFusionConfig | undefined;
  /** When the scheduled plan sync runs; null: never (on start and on demand only). */
  readonly planSyncCron: string | null;
  /** Tests only: the schedule every scheduled job runs on instead of its own; null in real use. */
  readonly testJobsCron: string | null;
  /** Stripe, when the secret key and webhook secret are set. */
  readonly stripe: StripeConfig | undefined;
  readonly topups: {
    readonly minCents: number;
    readonly maxCents: number;
    readonly presetsCents: readonly number[];
  };
  /** OpenID Connect sign-in (Auth0 or any provider), when all three OIDC_* values are set. */
  readonly oidc: OidcConfig | undefined;
  /** The panel talks to the local fakes of Stripe and VirtFusion (`npm run sandbox`). */
  readonly sandbox: boolean;
  /** What happens to a server whose renewal the wallet cannot pay. */
  readonly renewals: {
    readonly graceHours: number;
    readonly terminateAfterDays: number;
    readonly repriceNoticeDays: number;
    readonly reminderDays: number;
    readonly finalWarningDays: number;
  };
  /** Outgoing mail. `smtp` undefined: messages are written to the outbox and held. */
  readonly mail: MailConfig;
  /** Database dumps: `dir` undefined means backups are not configured. */
  readonly backups: BackupsConfig;
  /** The seller shown on documents (invoices, adjustment notes, receipts). */
  readonly seller: SellerConfig;
  /** How log lines are written: human-readable text, or one JSON object per line. */
  readonly logFormat: EnvironmentVariables['LOG_FORMAT'];
  /** The bearer token of GET /metrics (a secret: never log it); undefined: metrics are off. */
  readonly metricsToken: string | undefined;
  /** ADMIN_REQUIRE_2FA: an admin without two-factor sign-in is confined to enrolling. */
  readonly adminRequire2fa: boolean;
  /** What the public front page links to; each undefined when not configured. */
  readonly site: {
    readonly supportEmail: string | undefined;
    readonly termsUrl: string | undefined;
    readonly privacyUrl: string | undefined;
  };
}

export interface BackupsConfig {
  /** Absolute path of the directory the dumps live in; undefined: not configured. */
  readonly dir: string | undefined;
  /** Dumps older than this many days are pruned, except the newest. */
  readonly keepDays: number;
}

export interface SellerConfig {
  /** BUSINESS_NAME, or PANEL_NAME when unset. */
  readonly name: string;
  /** 11 digits, no spaces; undefined when unset. */
  readonly abn: string | undefined;
  readonly address: string | undefined;
  readonly email: string | undefined;
  readonly gstRegistered: boolean;
}

export interface MailConfig {
  readonly smtp: SmtpConfig | undefined;
  /** `Name <address>` or a bare address, checked at start. */
  readonly from: string;
  /** One address, or several joined by ", " (each checked at start). */
  readonly adminAlertEmail: string | undefined;
  readonly panelName: string;
}

export interface SmtpConfig {
  /** The URL as given (it may carry a password: never log it; use `display`). */
  readonly url: string;
  /** The URL without its password, for logs and status output. */
  readonly display: string;
  readonly secure: boolean;
  readonly host: string;
  readonly port: number;
  /** Connection, greeting and socket timeout, each. */
  readonly timeoutMs: number;
}

export interface StripeConfig {
  readonly secretKey: string;
  readonly publishableKey: string | undefined;
  readonly webhookSecrets: readonly string[];
  readonly mode: 'test' | 'live';
  /** Another host for the SDK (tests, the local sandbox); undefined: Stripe itself. */
  readonly apiBase: string | undefined;
}

export interface VirtFusionConfig {
  readonly apiBaseUrl: string;
  readonly apiToken: string;
  readonly timeoutMs: number;
  /** Where new servers go; undefined: deploys are refused with a message naming the variable. */
  readonly hypervisorGroupId: number | undefined;
}

export interface OidcConfig {
  readonly issuerUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Shown on the sign-in button: "Sign in with <name>". */
  readonly providerName: string;
}

/** Injection token for AppConfig (an interface has no runtime value). */
export const APP_CONFIG = Symbol('APP_CONFIG');

const SECRET_KEY = /SECRET|TOKEN|PASSWORD|KEY|DATABASE_(OWNER_)?URL|SMTP_URL/;

/**
 * Reads `.env` (or OZVPS_ENV_FILE) under the real environment, validates every value and
 * returns the typed config. Throws ConfigError naming each bad variable; secret values are
 * never echoed back.
 */
export function loadConfig(env: NodeJS.ProcessEnv, cwd = process.cwd()): AppConfig {
  const fromFile = readEnvFile(env, cwd);
  const raw: Record<string, string | undefined> = { ...fromFile, ...env };
  const known = Object.keys(new EnvironmentVariables());
  const picked: Record<string, string> = {};
  for (const key of known) {
    const value = raw[key];
    // `KEY=` in .env means "not set", as operators expect from a template with blanks.
    if (value !== undefined && value.trim() !== '') picked[key] = value;
  }
  const vars = plainToInstance(EnvironmentVariables, picked, { exposeDefaultValues: true });
  const errors = validateSync(vars, { whitelist: false, forbidUnknownValues: true });
  const problems = errors.map((e) => describe(e, picked));
  if ((vars.STRIPE_SECRET_KEY === undefined) !== (vars.STRIPE_WEBHOOK_SECRET === undefined)) {
    problems.push('STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET must be set together (or neither)');
  }
  const keyModes = [vars.STRIPE_SECRET_KEY, vars.STRIPE_PUBLISHABLE_KEY]
    .filter((k): k is string => k !== undefined)
    .map((k) => (k.includes('_live_') ? 'live' : 'test'));
  if (new Set(keyModes).size > 1)
    problems.push('STRIPE_SECRET_KEY and STRIPE_PUBLISHABLE_KEY are from different modes (test and live)');
  if (vars.DATABASE_OWNER_URL !== undefined && vars.DATABASE_URL === undefined)
    problems.push('DATABASE_OWNER_URL needs DATABASE_URL too (the embedded database manages its own roles)');
  if (vars.TOPUP_MIN_CENTS > vars.TOPUP_MAX_CENTS)
    problems.push('TOPUP_MIN_CENTS must not be greater than TOPUP_MAX_CENTS');
  const presets = vars.TOPUP_PRESETS_CENTS.split(',').map((v) => Number(v.trim()));
  if (presets.some((p) => p < vars.TOPUP_MIN_CENTS || p > vars.TOPUP_MAX_CENTS)) {
    problems.push('TOPUP_PRESETS_CENTS must all lie between TOPUP_MIN_CENTS and TOPUP_MAX_CENTS');
  }
  if ((vars.VIRTFUSION_URL === undefined) !== (vars.VIRTFUSION_API_TOKEN === undefined)) {
    problems.push('VIRTFUSION_URL and VIRTFUSION_API_TOKEN must be set together (or neither)');
  }
  const oidcKeys = ['OIDC_ISSUER_URL', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'] as const;
  const oidcSet = oidcKeys.filter((k) => vars[k] !== undefined);
  if (oidcSet.length > 0 && oidcSet.length < oidcKeys.length) {
    const missing = oidcKeys.filter((k) => vars[k] === undefined).join(', ');
    problems.push(`${missing} must be set too: OIDC sign-in needs all of ${oidcKeys.join(', ')}`);
  }
  if (vars.FINAL_WARNING_DAYS >= vars.TERMINATE_AFTER_DAYS) {
    problems.push(
      `FINAL_WARNING_DAYS (${vars.FINAL_WARNING_DAYS}) must be less than TERMINATE_AFTER_DAYS (${vars.TERMINATE_AFTER_DAYS}): the warning comes before the termination`,
    );
  }
  const smtp = vars.SMTP_URL === undefined ? undefined : smtpOf(vars.SMTP_URL, vars.SMTP_TIMEOUT_MS);
  if (typeof smtp === 'string') problems.push(`SMTP_URL ${smtp}`);
  if (!isMailbox(vars.MAIL_FROM))
    problems.push(
      `MAIL_FROM must be an email address or "Name <address>" (got "${vars.MAIL_FROM.slice(0, 60)}")`,
    );
  const alertTo = vars.ADMIN_ALERT_EMAIL?.split(',').map((a) => a.trim());
  const badAlertTo = alertTo?.find((a) => !isDeliverableAddress(a));
  if (badAlertTo !== undefined)
    problems.push(
      `ADMIN_ALERT_EMAIL must be an email address or a comma-separated list of them (not "${badAlertTo.slice(0, 60)}")`,
    );
  const trustProxy = trustProxyOf(vars.TRUST_PROXY);
  if (typeof trustProxy === 'string') problems.push(`TRUST_PROXY ${trustProxy}`);
  if (vars.SUPPORT_EMAIL !== undefined && !isDeliverableAddress(vars.SUPPORT_EMAIL))
    problems.push(`SUPPORT_EMAIL must be an email address (not "${vars.SUPPORT_EMAIL.slice(0, 60)}")`);
  if (vars.OZVPS_TEST_JOBS_CRON !== undefined && vars.NODE_ENV !== 'test')
    problems.push('OZVPS_TEST_JOBS_CRON is for tests only: it needs NODE_ENV=test');
  const abnIssue = vars.BUSINESS_ABN === undefined ? null : abnProblem(vars.BUSINESS_ABN);
  if (abnIssue) problems.push(`BUSINESS_ABN ${abnIssue}`);
  if (vars.BUSINESS_EMAIL !== undefined && !isDeliverableAddress(vars.BUSINESS_EMAIL))
    problems.push(`BUSINESS_EMAIL must be an email address (got "${vars.BUSINESS_EMAIL.slice(0, 60)}")`);
  const gstRegistered = vars.GST_REGISTERED === '1' || vars.GST_REGISTERED === 'true';
  if (gstRegistered && vars.BUSINESS_ABN === undefined)
    problems.push("GST_REGISTERED=true needs BUSINESS_ABN: a tax invoice must show the seller's ABN");
  if (problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
  const appUrl = (vars.APP_URL ?? `http://localhost:${vars.PORT}`).replace(/\/+$/, '');
  return Object.freeze({
    nodeEnv: vars.NODE_ENV,
    port: vars.PORT,
    host: vars.HOST,
    appUrl,
    databaseUrl: vars.DATABASE_URL,
    databaseOwnerUrl: vars.DATABASE_OWNER_URL,
    dataDir: resolve(cwd, vars.OZVPS_DATA_DIR),
    embeddedPgPort: vars.OZVPS_EMBEDDED_PG_PORT,
    walletCurrency: vars.WALLET_CURRENCY,
    walletMaxAdjustCents: vars.WALLET_MAX_ADJUST_CENTS,
    logLevel: vars.LOG_LEVEL,
    sessionTtlHours: vars.SESSION_TTL_HOURS,
    signupCreditCents: vars.SIGNUP_CREDIT_CENTS,
    secureCookies: appUrl.startsWith('https://'),
    trustProxy: trustProxy as AppConfig['trustProxy'],
    stripe:
      vars.STRIPE_SECRET_KEY && vars.STRIPE_WEBHOOK_SECRET
        ? Object.freeze({
            secretKey: vars.STRIPE_SECRET_KEY,
            publishableKey: vars.STRIPE_PUBLISHABLE_KEY,
            webhookSecrets: Object.freeze(vars.STRIPE_WEBHOOK_SECRET.split(',').map((v) => v.trim())),
            mode: vars.STRIPE_SECRET_KEY.includes('_live_') ? ('live' as const) : ('test' as const),
            apiBase: vars.STRIPE_API_BASE,
          })
        : undefined,
    topups: Object.freeze({
      minCents: vars.TOPUP_MIN_CENTS,
      maxCents: vars.TOPUP_MAX_CENTS,
      presetsCents: Object.freeze(presets),
    }),
    virtfusion:
      vars.VIRTFUSION_URL && vars.VIRTFUSION_API_TOKEN
        ? Object.freeze({
            apiBaseUrl: `${vars.VIRTFUSION_URL.replace(/\/+$/, '').replace(/\/api\/v1$/, '')}/api/v1`,
            apiToken: vars.VIRTFUSION_API_TOKEN,
            timeoutMs: vars.VIRTFUSION_TIMEOUT_MS,
            hypervisorGroupId: vars.VIRTFUSION_HYPERVISOR_GROUP_ID,
          })
        : undefined,
    planSyncCron: vars.PLAN_SYNC_CRON === 'off' ? null : vars.PLAN_SYNC_CRON,
    testJobsCron: vars.OZVPS_TEST_JOBS_CRON ?? null,
    sandbox: vars.OZVPS_SANDBOX === '1' || vars.OZVPS_SANDBOX === 'true',
    renewals: Object.freeze({
      graceHours: vars.GRACE_HOURS,
      terminateAfterDays: vars.TERMINATE_AFTER_DAYS,
      repriceNoticeDays: vars.REPRICE_NOTICE_DAYS,
      reminderDays: vars.RENEWAL_REMINDER_DAYS,
      finalWarningDays: vars.FINAL_WARNING_DAYS,
    }),
    mail: Object.freeze({
      smtp: smtp as SmtpConfig | undefined,
      from: vars.MAIL_FROM,
      adminAlertEmail: alertTo?.join(', '),
      panelName: vars.PANEL_NAME,
    }),
    backups: Object.freeze({
      dir: vars.BACKUP_DIR === undefined ? undefined : resolve(vars.BACKUP_DIR),
      keepDays: vars.BACKUP_KEEP_DAYS,
    }),
    seller: Object.freeze({
      name: vars.BUSINESS_NAME ?? vars.PANEL_NAME,
      abn: vars.BUSINESS_ABN?.replace(/\s+/g, ''),
      address: vars.BUSINESS_ADDRESS,
      email: vars.BUSINESS_EMAIL,
      gstRegistered,
    }),
    site: Object.freeze({
      supportEmail: vars.SUPPORT_EMAIL,
      termsUrl: vars.TERMS_URL,
      privacyUrl: vars.PRIVACY_URL,
    }),
    oidc:
      vars.OIDC_ISSUER_URL && vars.OIDC_CLIENT_ID && vars.OIDC_CLIENT_SECRET
        ? Object.freeze({
            issuerUrl: vars.OIDC_ISSUER_URL,
            clientId: vars.OIDC_CLIENT_ID,
            clientSecret: vars.OIDC_CLIENT_SECRET,
            providerName: vars.OIDC_PROVIDER_NAME ?? new URL(vars.OIDC_ISSUER_URL).hostname,
          })
        : undefined,
    logFormat: vars.LOG_FORMAT,
    metricsToken: vars.METRICS_TOKEN,
    adminRequire2fa: vars.ADMIN_REQUIRE_2FA === '1' || vars.ADMIN_REQUIRE_2FA === 'true',
  });
}

/**
 * SMTP_URL as nodemailer takes it, or, as a string, what is wrong with it. The messages never
 * quote the URL: it may carry the SMTP password.
 */
function smtpOf(value: string, timeoutMs: number): SmtpConfig | string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be a URL such as smtp://user:pass@mail.example.com:587 or smtps://mail.example.com:465';
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:')
    return `must start with smtp:// or smtps:// (got ${url.protocol.slice(0, 20)}//…)`;
  if (!url.hostname) return 'must name the SMTP server, like smtp://mail.example.com:587';
  if (url.pathname !== '' && url.pathname !== '/') return 'must not have a path';
  const secure = url.protocol === 'smtps:';
  const port = url.port ? Number(url.port) : secure ? 465 : 587;
  const shown = new URL(url.toString());
  shown.password = '';
  shown.search = '';
  return Object.freeze({
    url: value,
    display: shown.toString().replace(/\/$/, ''),
    secure,
    host: url.hostname,
    port,
    timeoutMs,
  });
}

/** `someone@host` or `Display Name <someone@host>` (no line breaks: it becomes a header). */
function isMailbox(value: string): boolean {
  if (/[\r\n]/.test(value)) return false;
  const named = /^([^<>]*)<([^<>]+)>$/.exec(value);
  return named ? isDeliverableAddress(named[2]!.trim()) : isDeliverableAddress(value);
}

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * TRUST_PROXY as Express takes it (a hop count, or a list of names, addresses and CIDR ranges),
 * or, as a string, what is wrong with it. `true` is refused: it trusts whatever X-Forwarded-For a
 * client sends, so anyone could pick the address the per-source sign-in limit counts.
 */
function trustProxyOf(value: string): number | string[] | string {
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === '*')
    return 'must not be true: it would trust an X-Forwarded-For header sent by any client, so anyone could pose as any address. Name the proxy instead (loopback, its address or a CIDR range such as 172.16.0.0/12) or give a hop count';
  if (/^[0-9]+$/.test(v)) {
    const hops = Number(v);
    return hops <= 10 ? hops : 'must be a hop count from 0 to 10, or addresses and CIDR ranges';
  }
  const items = v.split(',').map((i) => i.trim());
  const wide = items.filter(isTooWide);
  if (wide.length > 0)
    return `must not trust so wide a range ("${wide.join(', ').slice(0, 60)}"): a range shorter than /8 (IPv4) or /7 (IPv6) takes in addresses anyone on the internet can send from, so anyone could pose as any address. Name the proxy's address or its network (e.g. 172.16.0.0/12)`;
  const bad = items.filter((i) => !PROXY_NAMES.has(i) && !isAddressOrRange(i));
  if (items.length === 0 || bad.length > 0)
    return `must be loopback, linklocal, uniquelocal, IP addresses or CIDR ranges separated by commas, or a hop count (not understood: "${bad.join(', ').slice(0, 60)}")`;
  return items;
}

/** A CIDR range so wide that it takes in public addresses wholesale (0.0.0.0/0, 0.0.0.0/1, ::/0, …). */
function isTooWide(item: string): boolean {
  const [address, prefix] = item.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || prefix === undefined || !/^[0-9]{1,3}$/.test(prefix)) return false;
  return Number(prefix) < (family === 4 ? 8 : 7);
}

function isAddressOrRange(item: string): boolean {
  const [address, prefix, ...rest] = item.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^[0-9]{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

function readEnvFile(env: NodeJS.ProcessEnv, cwd: string): Record<string, string> {
  const explicit = env.OZVPS_ENV_FILE?.trim();
  const path = resolve(cwd, explicit || '.env');
  if (!existsSync(path)) {
    if (explicit)
      throw new ConfigError(
        `Invalid configuration:\n  OZVPS_ENV_FILE points to ${path}, which does not exist`,
      );
    return {};
  }
  try {
    return parseDotenv(readFileSync(path));
  } catch (err) {
    throw new ConfigError(`Cannot read ${path}: ${(err as Error).message}`);
  }
}

function describe(error: ClassValidationError, raw: Record<string, string>): string {
  const key = error.property;
  // Decorators apply bottom-up, so the first declared check (the most basic: "a whole number") is last.
  const reasons = Object.values(error.constraints ?? {}).map((m) => m.replace(new RegExp(`^${key} `), ''));
  const reason = reasons[reasons.length - 1] ?? 'is invalid';
  const shown = SECRET_KEY.test(key) ? '' : ` (got "${String(raw[key]).slice(0, 60)}")`;
  return `${key} ${reason}${shown}`;
}
