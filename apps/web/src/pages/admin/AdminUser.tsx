import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { FormEvent, useRef, useState } from 'react';
import { api, UserView } from '../../api';
import { AdminNav } from '../../components/AdminNav';
import { History } from '../../components/History';
import { formatMoney, parseDollars } from '../../money';
import { ErrorMessage, Loading, newRequestKey, PageTitle } from '../../ui';

interface AdminUserDetail {
  user: UserView;
  wallet: { balanceCents: number; currency: string };
}

function AdjustWallet({ userId, email, currency }: { userId: number; email: string; currency: string }) {
  const queryClient = useQueryClient();
  const [direction, setDirection] = useState<'credit' | 'debit'>('credit');
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [confirming, setConfirming] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
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
      api.post(`/api/admin/users/${userId}/wallet/adjustments`, {
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
      await queryClient.invalidateQueries({ queryKey: ['admin-user', userId] });
      await queryClient.invalidateQueries({ queryKey: ['transactions'] });
    },
    onError: (err) => {
      setConfirming(null);
      setError(err);
    },
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setDone(null);
    const cents = parseDollars(amount);
    if (cents === null || cents < 1)
      return setError(new Error('Enter an amount in dollars and cents, like 10 or 10.50.'));
    if (reason.trim().length < 3)
      return setError(new Error('A reason is required: it is kept in the ledger.'));
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
      <ErrorMessage error={error} />
      {done && (
        <p className="notice success" role="status">
          {done}
        </p>
      )}
    </form>
  );
}

export function AdminUser({ id }: { id: string }) {
  const detail = useQuery({
    queryKey: ['admin-user', Number(id)],
    queryFn: () => api.get<AdminUserDetail>(`/api/admin/users/${encodeURIComponent(id)}`),
  });
  return (
    <section>
      <AdminNav />
      {detail.isPending ? (
        <Loading what="the user" />
      ) : detail.error ? (
        <ErrorMessage error={detail.error} />
      ) : (
        <>
          <PageTitle>{detail.data.user.email}</PageTitle>
          <dl className="details">
            <dt>Name</dt>
            <dd>{detail.data.user.name ?? '(none)'}</dd>
            <dt>Role</dt>
            <dd>{detail.data.user.role}</dd>
            <dt>Stripe customer</dt>
            <dd>{detail.data.user.stripeCustomerId ?? '(not linked yet)'}</dd>
            <dt>Balance</dt>
            <dd>
              <strong data-testid="admin-balance">
                {formatMoney(detail.data.wallet.balanceCents, detail.data.wallet.currency)}
              </strong>
            </dd>
          </dl>
          <AdjustWallet
            userId={detail.data.user.id}
            email={detail.data.user.email}
            currency={detail.data.wallet.currency}
          />
          <h2>Ledger</h2>
          <History
            path={`/api/admin/users/${detail.data.user.id}/transactions`}
            currency={detail.data.wallet.currency}
          />
        </>
      )}
    </section>
  );
}
