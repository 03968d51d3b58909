import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, EmailPreferences as EmailPreferencesView } from '../api';
import { queries } from '../queries';
import { ErrorMessage, Loading } from '../ui';

/** The customer's one email switch: receipts. Warnings about money and servers always go out. */
export function EmailPreferences() {
  const queryClient = useQueryClient();
  const prefs = useQuery(queries.preferences());
  const save = useMutation({
    mutationFn: (receiptsEmail: boolean) =>
      api.put<EmailPreferencesView>('/api/account/preferences', { receiptsEmail }),
    onSuccess: (answer) => queryClient.setQueryData(queries.preferences().queryKey, answer),
  });
  if (prefs.isPending) return <Loading what="your email settings" />;
  if (prefs.error) return <ErrorMessage error={prefs.error} onRetry={() => void prefs.refetch()} />;
  return (
    <fieldset>
      <legend>Email</legend>
      <label>
        <input
          type="checkbox"
          name="receiptsEmail"
          checked={prefs.data.receiptsEmail}
          disabled={save.isPending}
          onChange={(e) => save.mutate(e.target.checked)}
        />{' '}
        Email me receipts (top-ups, renewals)
      </label>
      <p className="muted small">
        Warnings about your balance, renewals and servers are always emailed: they cannot be switched off.
      </p>
      <ErrorMessage error={save.error} />
    </fieldset>
  );
}
