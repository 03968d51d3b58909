/**
 * The JSON the panel's API accepts and returns, as plain types: no Nest, no TypeORM, nothing at
 * runtime. The API's views are annotated with these (`satisfies` or a return type) and the web
 * app imports them, so `npm run typecheck` fails when the two sides disagree.
 */

export type Role = 'user' | 'admin';

/** Every refusal: `{ error: { code, message } }`, the message a sentence a person can act on. */
export interface ErrorBody {
  error: { code: string; message: string };
}

export interface Me {
  user: {
    id: number;
    email: string;
    name: string;
    role: Role;
    createdAt: string;
    /** Until true, top-up and deploy are refused (email_unverified). */
    emailVerified: boolean;
  };
}
/** enrolmentRequired: an admin who can only set up two-factor sign-in (ADMIN_REQUIRE_2FA). */
export interface TwoFactorState {
  enabled: boolean;
  enrolmentRequired: boolean;
}
/** GET /api/auth/me. */
export interface MeWithTwoFactor extends Me {
  twoFactor: TwoFactorState;
}
/** Sign-in answer when the password was right and a code is owed (POST /api/auth/2fa/verify next). */
export interface SecondFactorOwed {
  twoFactorRequired: true;
}
/**
 * GET /api/auth/session: who is signed in (with the two-factor state), or `user: null`. A session
 * still owing its code says only `twoFactorRequired: true`: nothing about the account.
 */
export type SessionAnswer = MeWithTwoFactor | { user: null; twoFactorRequired?: true };
/** GET /api/app: what the web app needs before anyone signs in. */
export interface AppInfo {
  currency: string;
  sandbox: boolean;
  topupsEnabled: boolean;
  /** The business's name, for the front page and titles. */
  businessName: string;
  supportEmail: string | null;
  /** https:// links, when configured. */
  termsUrl: string | null;
  privacyUrl: string | null;
}
export interface Version {
  version: string;
  commit: string;
}
export interface WalletView {
  balanceCents: number;
  currency: string;
  summary: { toppedUpCents: number; spentCents: number; activeServers: number };
  topup: { minCents: number; maxCents: number; presetsCents: readonly number[]; enabled: boolean };
  coverage: WalletCoverage;
}
/** How far the balance pays the renewals (from the renewal schedule). */
export interface WalletCoverage {
  /** The soonest renewal; null when no server renews. */
  nextRenewal: { at: string; amountCents: number } | null;
  coversNextRenewal: boolean;
  /** The first renewal the balance cannot pay; null when none renews or it lasts beyond horizonMonths. */
  coveredUntil: string | null;
  horizonMonths: number;
}
export interface Transaction {
  id: number;
  type: string;
  amountCents: number;
  balanceAfterCents: number;
  reason: string | null;
  createdAt: string;
}
export interface TransactionPage {
  transactions: Transaction[];
  nextBefore: number | null;
}
export interface TopupStatus {
  status: 'pending' | 'credited' | 'failed' | 'expired';
  amountCents: number;
  currency: string;
  /** The deploy this top-up pays for ("Top up & deploy"); null for a plain top-up. */
  serverId?: number | null;
  serverStatus?: ServerStatus | null;
  serverCancelReason?: CancelReason | null;
}
export type CancelReason = 'owner' | 'payment_short' | 'unpaid' | 'topup_failed' | 'topup_not_opened';
export interface PublicPlan {
  id: number;
  name: string;
  description: string | null;
  vcpu: number;
  memoryMb: number;
  storageGb: number;
  trafficGb: number | null;
  networkSpeedInMbps: number | null;
  networkSpeedOutMbps: number | null;
  priceMonthlyCents: number;
}
export interface AdminPlan {
  id: number;
  virtfusionPackageId: number;
  name: string;
  vcpu: number;
  memoryMb: number;
  storageGb: number;
  trafficGb: number | null;
  priceMonthlyCents: number | null;
  enabled: boolean;
  active: boolean;
  present: boolean;
  lastSyncedAt: string;
}
/** A user as admins and scripts see them (`ozvpsctl --json`, admin API). */
export interface UserView {
  id: number;
  email: string;
  name: string;
  role: Role;
  stripeCustomerId: string | null;
  createdAt: string;
  /** When an admin disabled the account; null while it may sign in. */
  disabledAt: string | null;
  /** In the admin users list only. */
  balanceCents?: number;
}
/** One row of the audit trail (GET /api/admin/audit, `ozvpsctl audit --json`). */
export interface AuditEventView {
  id: number;
  at: string;
  actor: string;
  action: string;
  targetType: string;
  targetId: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  reason: string | null;
}
export type ServerStatus =
  'awaiting_funds' | 'provisioning' | 'active' | 'suspended' | 'failed' | 'terminated' | 'cancelled';
export interface ServerView {
  id: number;
  planId: number;
  status: ServerStatus;
  hostname: string;
  osTemplateId: number;
  ipAddress: string | null;
  priceMonthlyCents: number;
  currency: string;
  /** An admin's reprice: charged from the renewal on `fromDate`. */
  scheduledPrice: { amountCents: number; fromDate: string } | null;
  paidUntil: string | null;
  overdueSince: string | null;
  suspendedAt: string | null;
  suspendReason: 'overdue' | 'admin' | null;
  terminatedAt: string | null;
  failureReason: string | null;
  /** Why a waiting deploy was cancelled ('payment_short': its payment arrived and is in the wallet). */
  cancelReason?: CancelReason | null;
  createdAt: string;
  /** No more renewals: deleted when paid_until passes (the list and the page say so). */
  cancelAtPeriodEnd?: boolean;
  /** The payment a "Top up & deploy" waits (or waited) for; checkoutUrl only while it waits. */
  topup: {
    amountCents: number;
    status: 'pending' | 'credited' | 'failed' | 'expired';
    checkoutUrl: string | null;
  } | null;
}
export interface ServerEventView {
  type: string;
  actor: string;
  detail: string | null;
  at: string;
}
export interface OsTemplate {
  id: number;
  name: string;
  version: string | null;
  variant: string | null;
  group: string;
  eol: boolean;
}
export interface DeployAnswer {
  server: ServerView;
  topup?: { sessionId: string; checkoutUrl: string; amountCents: number };
}

// Server self-service (issue 16).

/** The plan a server runs, as VirtFusion describes it (traffic null or 0: unmetered). */
export interface ServerPlanSpecs {
  name: string;
  vcpu: number;
  memoryMb: number;
  diskGb: number;
  trafficGb: number | null;
}
/** One line of a server's history, already in a customer's words. */
export interface ServerHistoryEntry {
  at: string;
  text: string;
  actor: string;
}
export interface ServerDetailView extends ServerView {
  plan: ServerPlanSpecs;
  /** The OS template's name; null when VirtFusion has not said. */
  os: string | null;
  ipv4: string[];
  ipv6: string[];
  cancelAtPeriodEnd: boolean;
  nextRenewalAt: string | null;
}
export type PowerAction = 'start' | 'shutdown' | 'restart' | 'poweroff';
export type PowerState = 'running' | 'stopped' | 'building' | 'suspended' | 'unknown';
export interface ServerAction {
  id: number;
  /** A power action, 'reinstall', 'reset_password', … (the page names the ones it knows). */
  kind: string;
  status: 'running' | 'succeeded' | 'failed';
  startedAt: string;
  finishedAt: string | null;
  message: string | null;
}
export interface ServerState {
  power: PowerState;
  reachable: boolean;
  action: ServerAction | null;
}
export interface ServerOsTemplate {
  id: number;
  name: string;
  description: string | null;
}
export interface TrafficDay {
  date: string;
  inBytes: number;
  outBytes: number;
}
export interface TrafficMonth {
  periodStart: string;
  periodEnd: string;
  inBytes: number;
  outBytes: number;
}
export interface ServerTraffic {
  /** null when VirtFusion has no period to report yet. */
  periodStart: string | null;
  periodEnd: string | null;
  usedBytes: number;
  /** null: unmetered. */
  allowanceBytes: number | null;
  /** Per day when VirtFusion gives days (it may give none: then `months`). */
  days: TrafficDay[];
  /** This billing month first, then the ones before it. */
  months?: TrafficMonth[];
}
export interface SshKey {
  id: number;
  name: string;
  type: string;
  bits: number | null;
  /** "SHA256:…", as `ssh-keygen -l` prints it. */
  fingerprint: string;
  createdAt: string;
}
export type CareReason = 'overdue' | 'suspended' | 'failed' | 'provisioning_stuck' | 'waiting';
export interface AdminServerRow extends ServerView {
  owner: { id: number; email: string };
  planName: string;
  care: CareReason[];
}
export interface AdminServerDetail extends ServerDetailView {
  owner: { id: number; email: string };
  planName?: string;
  care?: CareReason[];
}

export interface AdminUserDetail {
  user: UserView;
  wallet: { balanceCents: number; currency: string };
}

export interface SyncReport {
  created: number;
  updated: number;
  deactivated: number;
  reactivated: number;
  unchanged: number;
}

export interface EmailPreferences {
  receiptsEmail: boolean;
}

export interface AuthProviders {
  local: true;
  oidc: { name: string; loginUrl: string } | null;
}

export interface StripeStatus {
  configured: boolean;
  mode: 'test' | 'live' | null;
  secretKey: string | null;
  publishableKey: string | null;
  webhookSecrets: string[];
  keysAgree: boolean;
  webhookUrl: string;
  apiBase: string | null;
  lastEvent: { eventId: string; type: string; outcome: string; receivedAt: string } | null;
  last24h: Partial<Record<string, number>>;
  signatureFailures24h: number;
  refusedDeliveries24h: Partial<Record<string, number>>;
  lastSignatureFailureAt: string | null;
  signatureWarning: string | null;
  signaturesFailingNow: boolean;
  installationId: string;
  problems: string[];
}

export interface StripeEventView {
  eventId: string;
  type: string;
  outcome: string;
  userId: number | null;
  stripeCustomerId: string | null;
  /** The linked user's email, beside the cus_… it belongs to. */
  customerEmail: string | null;
  amountCents: number | null;
  currency: string | null;
  receivedAt: string;
}

/** A message in the outbox list (GET /api/admin/mail). */
export interface MailSummary {
  id: number;
  userId: number | null;
  recipient: string;
  kind: string;
  subject: string;
  status: 'pending' | 'sending' | 'sent' | 'held' | 'dead';
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  sentAt: string | null;
  createdAt: string;
}

/** One message with its bodies (GET /api/admin/mail/:id). */
export interface MailDetail extends MailSummary {
  dedupeKey: string;
  giveUpAt: string;
  bodyText: string;
  bodyHtml: string;
}

// Invoices, adjustment notes and receipts (issue 18).
export interface DocumentSummary {
  id: number;
  number: string;
  type: 'invoice' | 'adjustment' | 'receipt';
  title: string;
  issuedAt: string;
  totalCents: number;
  gstCents: number;
  currency: string;
  refersTo: string | null;
  htmlPath: string;
  pdfPath: string;
}
export interface DocumentPage {
  documents: DocumentSummary[];
  nextBefore: number | null;
}
/** The customer's own business details, printed on their documents. */
export interface BillingDetails {
  businessName: string | null;
  abn: string | null;
}

// Accounts (issue 17).
/** One signed-in browser of the account (GET /api/account/sessions). */
export interface AccountSession {
  id: number;
  createdAt: string;
  lastSeenAt: string;
  browser: string;
  ip: string | null;
  current: boolean;
}
