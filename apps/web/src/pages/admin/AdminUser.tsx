import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { FormEvent, useRef, useState } from 'react';
import { api } from '../../api';
import { AdminNav } from '../../components/AdminNav';
import { Documents } from '../../components/Documents';
import { AdminUserActions } from './AdminUserActions';
import { AdminUserServers } from './AdminUserServers';
import { History } from '../../components/History';
import { QueryState } from '../../components/QueryState';
import { formatMoney, parseDollars } from '../../money';
import { keys, queries } from '../../queries';
import { ErrorMessage, newRequestKey, PageTitle } from '../../ui';

function AdjustWallet({ userId, email, currency }: { userId: string; email: string; currency: string }) {
  const queryClient = useQueryClient();
  const [direction, setDirection] = useState<'credit' | 'debit'>('credit');
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [confirming, setConfirming] = useState<number | null>(null);
  const [invalid, setInvalid] = useState<Error | null>(null);
  const [done, setDone] = useState<string | null>(null);
  // One key per intended change: a double click or a retry of the same change is applied once by
  // the server; editing the form makes it a new change.
  const requestKey = useRef<string | null>(null);
  const edit =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      requestKey.current = null;
      set(value);
    };
  const adjust = useMutation({
    mutationFn: (amountCents: number) =>
      api.post(`/api/admin/users/${encodeURIComponent(userId)}/wallet/adjustments`, {
        direction,
        amountCents,
        reason: reason.trim(),
        requestKey: (requestKey.current ??= newRequestKey()),
        ...(direction === 'debit' ? { confirm: true } : {}),
      }),
    onSuccess: async (_, amountCents) => {
      requestKey.current = null;
      setDone(`${direction === 'credit' ? 'Credited' : 'Deducted'} ${formatMoney(amountCents, currency)}.`);
      setAmount('');
      setReason('');
      setConfirming(null);
      await queryClient.invalidateQueries({ queryKey: queries.adminUser(userId).queryKey });
      await queryClient.invalidateQueries({ queryKey: keys.transactions });
      // An adjustment may issue a document (an adjustment note or an invoice).
      await queryClient.invalidateQueries({ queryKey: keys.documents });
    },
    onError: () => setConfirming(null),
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    setInvalid(null);
    adjust.reset();
    setDone(null);
    const cents = parseDollars(amount);
    if (cents === null || cents < 1)
      return setInvalid(new Error('Enter an amount in dollars and cents, like 10 or 10.50.'));
    if (reason.trim().length < 3)
      return setInvalid(new Error('Enter a reason of at least 3 characters: it is kept in the ledger.'));
    if (direction === 'debit') return setConfirming(cents);
    adjust.mutate(cents);
  }

  return (
    <form onSubmit={submit} className="stack" aria-label="Adjust wallet">
      <fieldset className="inline">
        <legend>Adjust balance</legend>
        {(['credit', 'debit'] as const).map((d) => (
          <label key={d}>
            <input
              type="radio"
              name="direction"
              checked={direction === d}
              onChange={() => edit(setDirection)(d)}
            />{' '}
            {d === 'credit' ? 'Credit' : 'Deduct'}
          </label>
        ))}
      </fieldset>
      <label>
        Amount ({currency.toUpperCase()})
        <input
          name="amount"
          inputMode="decimal"
          required
          value={amount}
          onChange={(e) => edit(setAmount)(e.target.value)}
        />
      </label>
      <label>
        Reason (required, kept in the ledger)
        <input
          name="reason"
          required
          minLength={3}
          value={reason}
          onChange={(e) => edit(setReason)(e.target.value)}
        />
      </label>
      {confirming !== null ? (
        <div className="notice" role="alertdialog" aria-label="Confirm deduction">
          <p>
            Deduct <strong>{formatMoney(confirming, currency)}</strong> from {email}?
          </p>
          <button
            type="button"
            className="danger"
            onClick={() => adjust.mutate(confirming)}
            disabled={adjust.isPending}
          >
            Confirm deduction
          </button>{' '}
          <button type="button" className="secondary" onClick={() => setConfirming(null)}>
            Cancel
          </button>
        </div>
      ) : (
        <button type="submit" disabled={adjust.isPending}>
          {direction === 'credit' ? 'Credit wallet' : 'Deduct…'}
        </button>
      )}
      <ErrorMessage error={invalid ?? adjust.error} />
      {done && (
        <p className="notice success" role="status">
          {done}
        </p>
      )}
    </form>
  );
}

export function AdminUser({ id }: { id: string }) {
  const detail = useQuery(queries.adminUser(id));
  return (
    <section>
      <AdminNav />
      <QueryState query={detail} what="the user">
        {({ user, wallet }) => (
          <>
            <PageTitle>{user.email}</PageTitle>
            <dl className="details">
              <dt>Name</dt>
              <dd>{user.name || '(none)'}</dd>
              <dt>Role</dt>
              <dd>{user.role}</dd>
              <dt>Stripe customer</dt>
              <dd>{user.stripeCustomerId ?? '(not linked yet)'}</dd>
              <dt>Balance</dt>
              <dd>
                <strong data-testid="admin-balance">
                  {formatMoney(wallet.balanceCents, wallet.currency)}
                </strong>
              </dd>
            </dl>
            <AdjustWallet userId={id} email={user.email} currency={wallet.currency} />
            <AdminUserActions user={user} />
            <AdminUserServers userId={user.id} />
            <h2>Ledger</h2>
            <History path={`/api/admin/users/${user.id}/transactions`} currency={wallet.currency} />
            <h2>Documents</h2>
            <Documents path={`/api/admin/users/${user.id}/documents`} />
          </>
        )}
      </QueryState>
    </section>
  );
}
