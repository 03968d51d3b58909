/**
 * The web app's one data layer: every GET the panel makes is a `queryOptions` factory here, so the
 * key that caches an answer and the key that invalidates it are the same expression.
 *
 * How to use it (new pages follow the same three rules):
 * - Read:  `const wallet = useQuery(queries.wallet());` — add page-only options by spreading:
 *          `useQuery({ ...queries.servers(), refetchInterval: … })`.
 * - Write: `useMutation({ mutationFn: (body: X) => api.post<Y>('/api/…', body), onSuccess: () =>
 *          queryClient.invalidateQueries({ queryKey: queries.wallet().queryKey }) })`; the button reads
 *          `mutation.isPending`, the error is `<ErrorMessage error={mutation.error} />` (no busy flags).
 * - Show:  `<QueryState query={wallet} what="your wallet">{(data) => …}</QueryState>` (components/
 *          QueryState.tsx) for loading / error with Retry / empty, the same on every page.
 * Keys are arrays whose first element names the resource, so `{ queryKey: ['admin'] }` (or
 * `keys.admin`) invalidates every admin read at once.
 */
import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import {
  AdminPlan,
  AdminUserDetail,
  AuthProviders,
  EmailPreferences,
  MailDetail,
  MailSummary,
  StripeEventView,
  StripeStatus,
  AdminServerRow,
  api,
  ApiError,
  CareReason,
  DocumentPage,
  ServerAction,
  ServerDetailView,
  ServerEventView,
  ServerHistoryEntry,
  ServerOsTemplate,
  ServerState,
  ServerTraffic,
  SshKey,
  AppInfo,
  Me,
  MeWithTwoFactor,
  OsTemplate,
  PublicPlan,
  ServerView,
  SessionAnswer,
  TopupStatus,
  TransactionPage,
  UserView,
  Version,
  WalletView,
} from './api';

/**
 * Whose page this is: a customer's own server (/api/servers/:id) or any server for an admin
 * (/api/admin/servers/:id, which takes the same action bodies plus suspend/unsuspend/terminate).
 */
export interface ServerScope {
  admin: boolean;
  id: string;
  /** The API path every action of this page is relative to. */
  base: string;
}

export interface ServerPageData {
  server: ServerDetailView;
  history: ServerHistoryEntry[];
  /** The latest action, for the admin page (which has no /state); the customer page asks /state. */
  action: ServerAction | null;
  owner: { id: number; email: string } | null;
  care: CareReason[];
  /** The raw event log (actors and details as recorded): shown to admins. */
  events: ServerEventView[];
}

type DetailAnswer = {
  server: ServerDetailView & Partial<Omit<ServerPageData, 'server'>>;
} & Partial<Omit<ServerPageData, 'server'>>;

/**
 * The contract names the fields but leaves open whether history, action and owner sit beside the
 * server or inside it: both are read, so the page does not depend on that choice.
 */
export function readDetail(answer: DetailAnswer): ServerPageData {
  const { server } = answer;
  return {
    server,
    history: answer.history ?? server.history ?? [],
    action: answer.action ?? server.action ?? null,
    owner: answer.owner ?? server.owner ?? null,
    care: answer.care ?? server.care ?? [],
    events: answer.events ?? [],
  };
}

/** A list the contract gives as a bare array; the older routes wrap theirs in an object. */
export function readList<T>(answer: T[] | Record<string, T[]>, key: string): T[] {
  return Array.isArray(answer) ? answer : (answer[key] ?? []);
}

export const TRANSACTIONS_PAGE = 20;
const MAIL_PAGE = 50;

/** Prefixes for invalidating a family of reads. */
export const keys = {
  admin: ['admin'] as const,
  transactions: ['transactions'] as const,
  documents: ['documents'] as const,
  servers: ['servers'] as const,
  adminServers: ['admin', 'servers'] as const,
  adminMail: ['admin', 'mail'] as const,
};

const get = api.get;

export const queries = {
  /**
   * The signed-in user, or null. Asked of /api/auth/session, which answers 200 either way: a
   * signed-out visitor is not an error (a 401 would show in the browser console on every page).
   */
  me: () =>
    queryOptions({
      queryKey: ['me'],
      // twoFactor is optional: sign-in answers (put here by the sign-in forms) do not carry it.
      queryFn: async (): Promise<(Me & Partial<MeWithTwoFactor>) | null> => {
        const answer = await get<SessionAnswer>('/api/auth/session');
        if (answer.user) return answer;
        // Password right, code still owed: an error like the one every other route answers, so the
        // pages send the browser to the code step (not a network error: nothing in the console).
        if (answer.twoFactorRequired)
          throw new ApiError(403, 'two_factor_required', 'Enter the code from your authenticator app first.');
        return null;
      },
      staleTime: 60_000,
    }),
  app: () =>
    queryOptions({ queryKey: ['app'], queryFn: () => get<AppInfo>('/api/app'), staleTime: Infinity }),
  version: () =>
    queryOptions({ queryKey: ['version'], queryFn: () => get<Version>('/api/version'), staleTime: Infinity }),
  providers: () =>
    queryOptions({
      queryKey: ['providers'],
      queryFn: () => get<AuthProviders>('/api/auth/providers'),
      staleTime: Infinity,
    }),

  wallet: () => queryOptions({ queryKey: ['wallet'], queryFn: () => get<WalletView>('/api/wallet') }),
  /** A ledger a page at a time; `path` is the customer's own or an admin's view of a user's. */
  transactions: (path: string) =>
    infiniteQueryOptions({
      queryKey: [...keys.transactions, path],
      queryFn: ({ pageParam }) =>
        get<TransactionPage>(`${path}?limit=${TRANSACTIONS_PAGE}${pageParam ? `&before=${pageParam}` : ''}`),
      initialPageParam: 0,
      getNextPageParam: (last) =>
        last.transactions.length === TRANSACTIONS_PAGE ? (last.nextBefore ?? undefined) : undefined,
    }),
  /** Invoices, adjustment notes and receipts at `path` (the customer's own, or a user's for an admin). */
  documents: (path: string) =>
    infiniteQueryOptions({
      queryKey: [...keys.documents, path],
      queryFn: ({ pageParam }) => get<DocumentPage>(pageParam ? `${path}?before=${pageParam}` : path),
      initialPageParam: 0,
      getNextPageParam: (last) => last.nextBefore ?? undefined,
    }),
  topup: (sessionId: string | null) =>
    queryOptions({
      queryKey: ['topup', sessionId],
      queryFn: () => get<TopupStatus>(`/api/wallet/topups/${encodeURIComponent(sessionId ?? '')}`),
      enabled: !!sessionId,
    }),

  plans: () =>
    queryOptions({ queryKey: ['plans'], queryFn: () => get<{ plans: PublicPlan[] }>('/api/plans') }),
  templates: (planId: number | null) =>
    queryOptions({
      queryKey: ['templates', planId],
      enabled: planId !== null,
      queryFn: () => get<{ templates: OsTemplate[] }>(`/api/plans/${planId}/templates`),
    }),
  servers: () =>
    queryOptions({
      queryKey: [...keys.servers],
      queryFn: () => get<{ servers: ServerView[] }>('/api/servers'),
    }),
  preferences: () =>
    queryOptions({
      queryKey: ['preferences'],
      queryFn: () => get<EmailPreferences>('/api/account/preferences'),
    }),

  /** One server's page: the customer's own (/api/servers/:id) or any, for an admin. */
  serverDetail: (scope: ServerScope) =>
    queryOptions({
      queryKey: ['server', scope.admin ? 'admin' : 'own', scope.id],
      queryFn: async () => readDetail(await get<DetailAnswer>(scope.base)),
    }),
  serverState: (scope: ServerScope) =>
    queryOptions({
      queryKey: ['server-state', scope.id],
      queryFn: () => get<ServerState>(`${scope.base}/state`),
    }),
  serverTemplates: (scope: ServerScope) =>
    queryOptions({
      queryKey: ['server-templates', scope.base],
      queryFn: async () =>
        readList(
          await get<ServerOsTemplate[] | { templates: ServerOsTemplate[] }>(`${scope.base}/templates`),
          'templates',
        ),
    }),
  traffic: (scope: ServerScope) =>
    queryOptions({
      queryKey: ['server-traffic', scope.id],
      queryFn: () => get<ServerTraffic>(`${scope.base}/traffic`),
    }),
  sshKeys: () =>
    queryOptions({
      queryKey: ['ssh-keys'],
      queryFn: async () => readList(await get<SshKey[] | { keys: SshKey[] }>('/api/ssh-keys'), 'keys'),
    }),

  adminUsers: (search: string) =>
    queryOptions({
      queryKey: [...keys.admin, 'users', search],
      queryFn: () => get<{ users: UserView[] }>(`/api/admin/users?limit=100&q=${encodeURIComponent(search)}`),
    }),
  adminUser: (id: string) =>
    queryOptions({
      queryKey: [...keys.admin, 'user', id],
      queryFn: () => get<AdminUserDetail>(`/api/admin/users/${encodeURIComponent(id)}`),
    }),
  adminPlans: () =>
    queryOptions({
      queryKey: [...keys.admin, 'plans'],
      queryFn: () => get<{ plans: AdminPlan[] }>('/api/admin/plans'),
    }),
  /** One customer's servers, for their admin page (under keys.adminServers: a server action refreshes it). */
  adminUserServers: (userId: number) =>
    queryOptions({
      queryKey: [...keys.adminServers, 'user', userId],
      queryFn: async () =>
        readList(
          await get<AdminServerRow[] | { servers: AdminServerRow[] }>(`/api/admin/servers?userId=${userId}`),
          'servers',
        ),
    }),
  adminServers: (care: boolean) =>
    queryOptions({
      queryKey: [...keys.adminServers, care],
      queryFn: async () => {
        const answer = await get<AdminServerRow[] | { servers: AdminServerRow[] }>(
          `/api/admin/servers${care ? '?care=1' : ''}`,
        );
        return Array.isArray(answer) ? answer : answer.servers;
      },
    }),
  /** The outbox, newest first, a page at a time, filtered as the admin chose. */
  adminMail: (filter: { status: string; kind: string; userId: string }) =>
    infiniteQueryOptions({
      queryKey: [...keys.adminMail, filter],
      queryFn: ({ pageParam }) => {
        const params = new URLSearchParams({ limit: String(MAIL_PAGE) });
        if (filter.status) params.set('status', filter.status);
        if (filter.kind.trim()) params.set('kind', filter.kind.trim());
        if (filter.userId.trim()) params.set('userId', filter.userId.trim());
        if (pageParam) params.set('before', String(pageParam));
        return get<{ messages: MailSummary[]; nextBefore: number | null }>(
          `/api/admin/mail?${params.toString()}`,
        );
      },
      initialPageParam: undefined as number | undefined,
      getNextPageParam: (last) =>
        last.messages.length === MAIL_PAGE ? (last.nextBefore ?? undefined) : undefined,
    }),
  adminMailMessage: (id: string) =>
    queryOptions({
      queryKey: [...keys.admin, 'mail-message', id],
      queryFn: () => get<{ message: MailDetail }>(`/api/admin/mail/${encodeURIComponent(id)}`),
    }),
  stripeStatus: () =>
    queryOptions({
      queryKey: [...keys.admin, 'stripe-status'],
      queryFn: () => get<StripeStatus>('/api/admin/stripe/status'),
    }),
  stripeEvents: () =>
    queryOptions({
      queryKey: [...keys.admin, 'stripe-events'],
      queryFn: () => get<{ events: StripeEventView[] }>('/api/admin/stripe/events?limit=50'),
    }),
};
