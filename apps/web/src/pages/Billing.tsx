import { useMutation } from '@tanstack/react-query';
import { api } from '../api';
import { BillingDetailsForm } from '../components/BillingDetailsForm';
import { Documents } from '../components/Documents';
import { EmailPreferences } from '../components/EmailPreferences';
import { ErrorMessage, PageTitle } from '../ui';

export function Billing() {
  // Stays pending while the browser leaves for Stripe's portal.
  const portal = useMutation({
    mutationFn: async () => {
      const { url } = await api.post<{ url: string }>('/api/billing/portal');
      window.location.assign(url);
    },
  });
  return (
    <section className="narrow">
      <PageTitle>Billing</PageTitle>
      <p>
        Your saved cards are kept by Stripe, our payment processor, which also emails a receipt for each
        payment. Our own receipts, invoices and adjustment notes are under Documents below.
      </p>
      <button type="button" onClick={() => portal.mutate()} disabled={portal.isPending}>
        Manage payment methods and receipts
      </button>
      <ErrorMessage error={portal.error} />
      <h2>Documents</h2>
      <p className="muted small">
        A receipt for each top-up, an invoice for each server charge, an adjustment note for each refund.
      </p>
      <Documents path="/api/documents" />
      <BillingDetailsForm />
      <EmailPreferences />
    </section>
  );
}
