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
  StripeEventView,
  StripeStatus,
  AdminServerRow,
  api,
  ApiError,
  AppInfo,
  Me,
  OsTemplate,
  PublicPlan,
  ServerView,
  TopupStatus,
  TransactionPage,
  UserView,
  Version,
  WalletView,
} from './api';

export const TRANSACTIONS_PAGE = 20;

/** Prefixes for invalidating a family of reads. */
export const keys = {
  admin: ['admin'] as const,
  transactions: ['transactions'] as const,
  servers: ['servers'] as const,
};

const get = api.get;

export const queries = {
  /** The signed-in user, or null when the server says nobody is (the 401 is an answer, not an error). */
  me: () =>
    queryOptions({
      queryKey: ['me'],
      queryFn: async () => {
        try {
          return await get<Me>('/api/auth/me');
        } catch (err) {
          if (err instanceof ApiError && err.status === 401) return null;
          throw err;
        }
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
  adminServers: (care: boolean) =>
    queryOptions({
      queryKey: [...keys.admin, 'servers', care],
      queryFn: async () => {
        const answer = await get<AdminServerRow[] | { servers: AdminServerRow[] }>(
          `/api/admin/servers${care ? '?care=1' : ''}`,
        );
        return Array.isArray(answer) ? answer : answer.servers;
      },
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
