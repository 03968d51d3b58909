import { ReactNode } from 'react';
import { ErrorMessage, Loading } from '../ui';

/** What QueryState needs of a useQuery / useInfiniteQuery result. */
interface QueryLike<T> {
  isPending: boolean;
  error: unknown;
  data: T | undefined;
  refetch: () => unknown;
}

/**
 * The one way a page shows a read: "Loading …", the error in the server's words with Retry, an
 * empty state when `isEmpty` says so, else the data.
 */
export function QueryState<T>({
  query,
  what,
  isEmpty,
  empty,
  children,
}: {
  query: QueryLike<T>;
  /** "your wallet", "plans": read as "Loading your wallet…". */
  what: string;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Loading what={what} />;
  if (query.error || query.data === undefined)
    return <ErrorMessage error={query.error} onRetry={() => void query.refetch()} />;
  if (isEmpty?.(query.data)) return <>{empty}</>;
  return <>{children(query.data)}</>;
}
