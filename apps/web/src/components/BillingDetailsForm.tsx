import { FormEvent, useEffect, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, BillingDetails } from '../api';
import { ErrorMessage, Loading } from '../ui';

/** The buyer on the customer's next documents: an optional business name and ABN. */
export function BillingDetailsForm() {
  const queryClient = useQueryClient();
  const details = useQuery({
    queryKey: ['billing-details'],
    queryFn: () => api.get<BillingDetails>('/api/account/billing-details'),
  });
  const [businessName, setBusinessName] = useState('');
  const [abn, setAbn] = useState('');
  useEffect(() => {
    if (details.data) {
      setBusinessName(details.data.businessName ?? '');
      setAbn(details.data.abn ?? '');
    }
  }, [details.data]);
  const save = useMutation({
    mutationFn: (body: BillingDetails) => api.put<BillingDetails>('/api/account/billing-details', body),
    onSuccess: (answer) => queryClient.setQueryData(['billing-details'], answer),
  });
  if (details.isPending) return <Loading what="your billing details" />;
  if (details.error) return <ErrorMessage error={details.error} />;
  function submit(e: FormEvent) {
    e.preventDefault();
    save.mutate({ businessName: businessName.trim() || null, abn: abn.trim() || null });
  }
  return (
    <form onSubmit={submit}>
      <fieldset>
        <legend>Billing details</legend>
        <p className="muted small">
          Shown as the buyer on your invoices from now on (documents already issued keep what they show).
        </p>
        <label>
          Business name
          <input
            name="businessName"
            value={businessName}
            maxLength={120}
            onChange={(e) => setBusinessName(e.target.value)}
          />
        </label>
        <label>
          ABN
          <input
            name="abn"
            value={abn}
            inputMode="numeric"
            maxLength={20}
            placeholder="11 digits"
            onChange={(e) => setAbn(e.target.value)}
          />
        </label>
        <button type="submit" disabled={save.isPending}>
          Save billing details
        </button>
        {save.isSuccess ? (
          <p className="muted small" role="status">
            Saved.
          </p>
        ) : null}
        <ErrorMessage error={save.error} />
      </fieldset>
    </form>
  );
}
