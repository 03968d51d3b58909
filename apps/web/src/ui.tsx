import { ReactNode, useEffect, useRef } from 'react';
import { ApiError } from './api';

/**
 * An error from the server, said in its own words, announced to screen readers; with `onRetry`, a
 * Retry button asks again.
 */
export function ErrorMessage({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  if (!error) return null;
  const said = error instanceof ApiError || error instanceof Error ? error.message : String(error);
  // Validation messages name the field first ("hostname must be …"): a person reads a sentence.
  const message = said.charAt(0).toUpperCase() + said.slice(1);
  return (
    <div className="notice error" role="alert">
      <p>{message}</p>
      {onRetry && (
        <button type="button" className="secondary" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}

/** A page title that takes focus on navigation, so keyboard and screen-reader users land on it. */
export function PageTitle({ children }: { children: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
    document.title = `${typeof children === 'string' ? children : 'OzVPS'} · OzVPS panel`;
  }, [children]);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}

/** 32 hex characters from the browser's CSPRNG (randomUUID needs https; this does not). */
export function newRequestKey(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join(
    '',
  );
}
