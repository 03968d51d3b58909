import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { AdminPlan, api } from '../api';
import { formatDate, formatMoney, parseDollars } from '../money';
import { ErrorMessage } from '../ui';

export function PriceForm({ plan, currency }: { plan: AdminPlan; currency: string }) {
  const queryClient = useQueryClient();
  const [value, setValue] = useState(plan.priceMonthlyCents ? (plan.priceMonthlyCents / 100).toFixed(2) : '');
  const [error, setError] = useState<unknown>(null);
  // Servers already scheduled for another price keep it: the answer says so, and so does this form.
  const [note, setNote] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (cents: number) =>
      api.put<{ scheduledRepricesNote: string | null }>(`/api/admin/plans/${plan.id}/price`, {
        priceMonthlyCents: cents,
      }),
    onSuccess: (answer) => {
      setNote(answer.scheduledRepricesNote);
      return queryClient.invalidateQueries({ queryKey: ['admin-plans'] });
    },
    onError: setError,
  });
  return (
    <form
      className="inline compact"
      onSubmit={(e) => {
        e.preventDefault();
        setError(null);
        setNote(null);
        const cents = parseDollars(value);
        if (cents === null || cents < 1) return setError(new Error('Enter a monthly price, like 12.50.'));
        save.mutate(cents);
      }}
    >
      <label>
        <span className="sr-only">
          Monthly price for {plan.name} ({currency.toUpperCase()})
        </span>
        <input
          name={`price-${plan.id}`}
          inputMode="decimal"
          size={8}
          value={value}
          onChange={(e) => setValue(e.target.value)}
        />
      </label>
      <button type="submit" className="secondary" disabled={save.isPending}>
        Set price
      </button>
      {note && (
        <p role="status" data-testid={`price-note-${plan.id}`}>
          {note} (below, under “Reprice existing servers”).
        </p>
      )}
      <ErrorMessage error={error} />
    </form>
  );
}

interface RepriceView {
  priceCents: number;
  earliest: string;
  noticeDays: number;
  applied: boolean;
  unchanged: number;
  changes: {
    serverId: number;
    hostname: string;
    fromCents: number;
    toCents: number;
    fromDate: string;
    scheduled: { amountCents: number; fromDate: string } | null;
    cancelsScheduled: boolean;
  }[];
  skipped: { serverId: number; hostname: string; status: string; soldAtCents: number }[];
}

/**
 * A plan's new price is for new deploys; moving its running servers to it is this explicit step:
 * preview first (nothing written), then confirm. Each server changes from its first renewal at
 * least REPRICE_NOTICE_DAYS ahead, and its page shows the new price from now on.
 */
export function RepriceForm({ plan, currency }: { plan: AdminPlan; currency: string }) {
  const [fromDate, setFromDate] = useState(() => new Date().toISOString().slice(0, 10));
  const [result, setResult] = useState<RepriceView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const run = useMutation({
    mutationFn: (confirm: boolean) =>
      api.post<RepriceView>(`/api/admin/plans/${plan.id}/reprice`, {
        fromDate,
        ...(confirm ? { confirm } : {}),
      }),
    onSuccess: setResult,
    onError: setError,
  });
  return (
    <details className="reprice">
      <summary>Reprice existing servers</summary>
      <form
        className="inline compact"
        onSubmit={(e) => {
          e.preventDefault();
          setError(null);
          run.mutate(false);
        }}
      >
        <label>
          Not before{' '}
          <input
            type="date"
            name={`reprice-from-${plan.id}`}
            value={fromDate}
            onChange={(e) => {
              setFromDate(e.target.value);
              setResult(null);
            }}
          />
        </label>
        <button type="submit" className="secondary" disabled={run.isPending}>
          Preview
        </button>
      </form>
      {result && (
        <div role="status" data-testid={`reprice-result-${plan.id}`}>
          <p>
            {result.applied ? 'Changed: ' : 'Would change: '}
            {result.changes.length} server(s) to {formatMoney(result.priceCents, currency)} a month, each from
            its first renewal on or after {formatDate(result.earliest)} ({result.noticeDays} days' notice).
            {result.unchanged > 0 && ` ${result.unchanged} already at this price.`}
          </p>
          {result.changes.length > 0 && (
            <ul>
              {result.changes.map((c) => (
                <li key={c.serverId}>
                  #{c.serverId} {c.hostname}: {formatMoney(c.fromCents, currency)}
                  {c.scheduled &&
                    ` → ${formatMoney(c.scheduled.amountCents, currency)} (scheduled from ${formatDate(c.scheduled.fromDate)})`}
                  {c.cancelsScheduled
                    ? ` → ${formatMoney(c.toCents, currency)}: cancels the scheduled price`
                    : ` → ${formatMoney(c.toCents, currency)} from ${formatDate(c.fromDate)}`}
                </li>
              ))}
            </ul>
          )}
          {result.skipped.length > 0 && (
            <ul>
              {result.skipped.map((k) => (
                <li key={k.serverId}>
                  #{k.serverId} {k.hostname} skipped: not running yet (sold at{' '}
                  {formatMoney(k.soldAtCents, currency)}
                  ); reprice again once it runs
                </li>
              ))}
            </ul>
          )}
          {!result.applied && result.changes.length > 0 && (
            <button type="button" disabled={run.isPending} onClick={() => run.mutate(true)}>
              Confirm reprice of {result.changes.length} server(s)
            </button>
          )}
        </div>
      )}
      <ErrorMessage error={error} />
    </details>
  );
}
