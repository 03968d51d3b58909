import { useQueryClient } from '@tanstack/react-query';
import { FormEvent, useMemo, useState } from 'react';
import { api } from '../../api';
import { ConfirmPanel } from '../../confirm';
import { keys } from '../../queries';
import { ErrorMessage } from '../../ui';
import { AdminNav } from '../../components/AdminNav';
import { adminScope, detailKey, ServerPageData, ServerScope } from '../../components/server/server-api';
import { ServerPage } from '../../components/server/ServerPage';

/** Suspend with an optional reason, unsuspend, and terminate behind the typed hostname. */
export function AdminServerControls({ scope, data }: { scope: ServerScope; data: ServerPageData }) {
  const queryClient = useQueryClient();
  const [reason, setReason] = useState('');
  const [terminating, setTerminating] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const s = data.server;

  async function post(path: string, body: unknown, said: string): Promise<void> {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      await api.post(`${scope.base}/${path}`, body);
      setDone(said);
      setTerminating(false);
      await queryClient.invalidateQueries({ queryKey: detailKey(scope) });
      await queryClient.invalidateQueries({ queryKey: keys.adminServers });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  function suspend(e: FormEvent) {
    e.preventDefault();
    void post('suspend', reason.trim() ? { reason: reason.trim() } : {}, 'Suspended.');
  }

  return (
    <div className="panel" data-testid="admin-controls">
      <h3>Admin</h3>
      {s.status === 'suspended' ? (
        <button type="button" disabled={busy} onClick={() => void post('unsuspend', {}, 'Unsuspended.')}>
          Unsuspend
        </button>
      ) : s.status === 'active' ? (
        <form className="inline" onSubmit={suspend}>
          <label>
            Reason (optional, for the event log; the customer sees “suspended by support”)
            <input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={200} />
          </label>
          <button type="submit" className="secondary" disabled={busy}>
            Suspend
          </button>
        </form>
      ) : null}
      {terminating ? (
        <ConfirmPanel
          title={`Terminate ${s.hostname}?`}
          confirmLabel="Terminate now"
          danger
          typed={s.hostname}
          busy={busy}
          onCancel={() => setTerminating(false)}
          onConfirm={(typed) => void post('terminate', { confirmHostname: typed }, 'Terminated.')}
        >
          <p>
            The server is deleted in VirtFusion with everything on it, now. Nothing is refunded. This cannot
            be undone.
          </p>
        </ConfirmPanel>
      ) : (
        <p>
          <button type="button" className="danger" disabled={busy} onClick={() => setTerminating(true)}>
            Terminate…
          </button>
        </p>
      )}
      <p role="status">{done}</p>
      <ErrorMessage error={error} />
    </div>
  );
}

/** /admin/servers/:id — the customer's page plus the admin's controls. */
export function AdminServer({ id, pollMs }: { id: string; pollMs?: number }) {
  const scope = useMemo(() => adminScope(id), [id]);
  return (
    <>
      <AdminNav />
      <ServerPage
        scope={scope}
        pollMs={pollMs}
        adminControls={(data) => <AdminServerControls scope={scope} data={data} />}
      />
    </>
  );
}
