import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { AdminPlan, api } from '../api';
import { ConfirmPanel } from '../confirm';
import { formatDate, formatMoney, parseDollars } from '../money';
import { queries } from '../queries';
import { ErrorMessage } from '../ui';

/**
 * A plan's monthly price: typed, then confirmed (what changes for whom), then confirmed done. New
 * deploys pay the new price; running servers keep theirs until repriced (below).
 */
export function PriceForm({ plan, currency }: { plan: AdminPlan; currency: string }) {
  const queryClient = useQueryClient();
  const [value, setValue] = useState(plan.priceMonthlyCents ? (plan.priceMonthlyCents / 100).toFixed(2) : '');
  const [invalid, setInvalid] = useState<Error | null>(null);
  const [confirming, setConfirming] = useState<number | null>(null);
  const money = (cents: number) => formatMoney(cents, currency);
  const save = useMutation({
    mutationFn: (cents: number) =>
      api.put<{ scheduledRepricesNote: string | null }>(`/api/admin/plans/${plan.id}/price`, {
        priceMonthlyCents: cents,
      }),
    onSettled: () => setConfirming(null),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queries.adminPlans().queryKey }),
  });
  const offSale = useMutation({
    mutationFn: () => api.post(`/api/admin/plans/${plan.id}/off-sale`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queries.adminPlans().queryKey }),
  });
  const [confirmingOffSale, setConfirmingOffSale] = useState(false);
  return (
    <div className="stack compact">
      <form
        className="inline compact"
        onSubmit={(e) => {
          e.preventDefault();
          setInvalid(null);
          save.reset();
          offSale.reset();
          const cents = parseDollars(value);
          if (cents === null || cents < 1)
            return setInvalid(
              new Error('Enter a monthly price in dollars, like 12.50, then press Set price.'),
            );
          setConfirming(cents);
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
        <button type="submit" className="secondary" disabled={save.isPending || confirming !== null}>
          Set price
        </button>
        {plan.priceMonthlyCents !== null && (
          <button
            type="button"
            className="secondary"
            disabled={offSale.isPending}
            onClick={() => {
              save.reset();
              setConfirmingOffSale(true);
            }}
          >
            Take off sale…
          </button>
        )}
      </form>
      {confirming !== null && (
        <ConfirmPanel
          title={`Set the price of ${plan.name}`}
          confirmLabel="Confirm price"
          busy={save.isPending}
          onConfirm={() => save.mutate(confirming)}
          onCancel={() => setConfirming(null)}
        >
          <p>
            {plan.name} will cost <strong>{money(confirming)}</strong> a month
            {plan.priceMonthlyCents !== null ? ` (now ${money(plan.priceMonthlyCents)})` : ''} for new
            deploys. Running servers keep their price until you reprice them.
          </p>
        </ConfirmPanel>
      )}
      {confirmingOffSale && (
        <ConfirmPanel
          title={`Take ${plan.name} off sale`}
          confirmLabel="Take off sale"
          busy={offSale.isPending}
          onConfirm={() => offSale.mutate(undefined, { onSettled: () => setConfirmingOffSale(false) })}
          onCancel={() => setConfirmingOffSale(false)}
        >
          <p>
            Its price is cleared, so the pricing page and deploys no longer offer it. Running servers keep
            their price. Set a price again to put it back on sale.
          </p>
        </ConfirmPanel>
      )}
      {save.isSuccess && (
        <p className="notice success" role="status" data-testid={`price-saved-${plan.id}`}>
          Price of {plan.name} set to {money(save.variables)} a month.
        </p>
      )}
      {save.data?.scheduledRepricesNote && (
        // Servers already scheduled for another price keep it: the answer says so, and so does this form.
        <p role="status" data-testid={`price-note-${plan.id}`}>
          {save.data.scheduledRepricesNote} (below, under “Reprice existing servers”).
        </p>
      )}
      {offSale.isSuccess && (
        <p className="notice success" role="status">
          {plan.name} is off sale. Set a price to offer it again.
        </p>
      )}
      <ErrorMessage error={invalid ?? save.error ?? offSale.error} />
    </div>
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
  const run = useMutation({
    mutationFn: (confirm: boolean) =>
      api.post<RepriceView>(`/api/admin/plans/${plan.id}/reprice`, {
        fromDate,
        ...(confirm ? { confirm } : {}),
      }),
    onSuccess: setResult,
  });
  return (
    <details className="reprice">
      <summary>Reprice existing servers</summary>
      <form
        className="inline compact"
        onSubmit={(e) => {
          e.preventDefault();
          run.reset();
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
      <ErrorMessage error={run.error} />
    </details>
  );
}
