import { useMutation } from '@tanstack/react-query';
import { api } from '../api';
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
        Your saved cards and the receipts for every top-up are kept by Stripe, our payment processor. Stripe
        also emails a receipt for each payment.
      </p>
      <button type="button" onClick={() => portal.mutate()} disabled={portal.isPending}>
        Manage payment methods and receipts
      </button>
      <ErrorMessage error={portal.error} />
      <EmailPreferences />
    </section>
  );
}
