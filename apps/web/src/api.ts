/** The panel's API from the browser: same origin, the session cookie, JSON in and out. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers:
        body === undefined
          ? { accept: 'application/json' }
          : { 'content-type': 'application/json', accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', 'The panel cannot be reached. Check your connection and try again.');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: reported below
  }
  if (!res.ok) {
    const error = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiError(
      res.status,
      error?.code ?? 'http_' + res.status,
      error?.message ?? `The server answered ${res.status}.`,
    );
  }
  if (json === undefined)
    throw new ApiError(res.status, 'bad_response', 'The server sent an answer the panel cannot read.');
  return json as T;
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body: unknown = {}) => request<T>('POST', path, body),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  // Every write carries a JSON body: the API refuses writes that are not application/json (415).
  delete: <T = void>(path: string) => request<T>('DELETE', path, {}),
};

export interface Me {
  user: {
    id: number;
    email: string;
    name: string | null;
    role: 'user' | 'admin';
    createdAt: string;
    /** Until true, top-up and deploy are refused (email_unverified). */
    emailVerified: boolean;
  };
}
export interface AppInfo {
  currency: string;
  sandbox: boolean;
  topupsEnabled: boolean;
}
export interface Version {
  version: string;
  commit: string;
}
export interface WalletView {
  balanceCents: number;
  currency: string;
  summary: { toppedUpCents: number; spentCents: number; activeServers: number };
  topup: { minCents: number; maxCents: number; presetsCents: number[]; enabled: boolean };
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
export interface UserView {
  id: number;
  email: string;
  name: string | null;
  role: 'user' | 'admin';
  stripeCustomerId: string | null;
  createdAt: string;
  /** When an admin disabled the account (no sign-in); absent or null while it may sign in. */
  disabledAt?: string | null;
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

// Server self-service (issue 16): the shapes of /work/briefs/srv-contract.md.

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

/** One signed-in browser of the account (GET /api/account/sessions). */
export interface AccountSession {
  id: number;
  createdAt: string;
  lastSeenAt: string;
  browser: string;
  ip: string | null;
  current: boolean;
}
