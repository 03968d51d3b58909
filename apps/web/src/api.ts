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

// The API's JSON shapes live in libs/contracts (one definition for both sides); re-exported here so
// a page imports its types and `api` from one place.
export type {
  AccountSession,
  AdminPlan,
  AdminServerDetail,
  AdminServerRow,
  AdminUserDetail,
  AppInfo,
  AuditEventView,
  AuthProviders,
  BillingDetails,
  CancelReason,
  CareReason,
  DeployAnswer,
  DocumentPage,
  DocumentSummary,
  EmailPreferences,
  ErrorBody,
  MailDetail,
  MailSummary,
  Me,
  MeWithTwoFactor,
  OsTemplate,
  PowerAction,
  PowerState,
  PublicPlan,
  Role,
  SecondFactorOwed,
  ServerAction,
  ServerDetailView,
  ServerEventView,
  ServerHistoryEntry,
  ServerOsTemplate,
  ServerPlanSpecs,
  ServerState,
  ServerStatus,
  ServerTraffic,
  ServerView,
  SessionAnswer,
  SshKey,
  StripeEventView,
  StripeStatus,
  SyncReport,
  TopupStatus,
  TrafficDay,
  TrafficMonth,
  TwoFactorState,
  Transaction,
  TransactionPage,
  UserView,
  Version,
  WalletCoverage,
  WalletView,
} from '@ozvps/contracts';
