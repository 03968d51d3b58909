import { FormEvent, useEffect, useRef, useState } from 'react';
import { api, ServerDetailView } from '../../api';
import { ConfirmPanel } from '../../confirm';
import { formatDate } from '../../money';
import { ErrorMessage } from '../../ui';
import { useActionRunner } from './actions';
import { ServerScope } from './server-api';

/**
 * The window is opened on the click itself (a popup opened after an await is blocked) and sent to
 * the one-time URL when it arrives; noopener keeps VirtFusion's page from reaching back into ours.
 */
async function openOneTime(path: string): Promise<void> {
  const tab = window.open('about:blank', '_blank');
  try {
    const { url } = await api.post<{ url: string }>(path);
    if (tab) {
      tab.opener = null;
      tab.location.href = url;
    } else {
      // The browser refused a new tab: open it here, without the referrer of this page.
      window.open(url, '_blank', 'noopener,noreferrer');
    }
  } catch (err) {
    tab?.close();
    throw err;
  }
}

/** Console for this server and "Manage in VirtFusion" for the account, both one-time logins. */
export function ConsoleLinks({ scope, blocked }: { scope: ServerScope; blocked: string | null }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<'console' | 'manage' | null>(null);
  const run = (which: 'console' | 'manage', path: string) => {
    setBusy(which);
    setError(null);
    openOneTime(path)
      .catch(setError)
      .finally(() => setBusy(null));
  };
  return (
    <div className="panel" data-testid="console">
      <h3>Console</h3>
      <p className="inline">
        <button
          type="button"
          className="secondary"
          disabled={blocked !== null || busy !== null}
          onClick={() => run('console', `${scope.base}/console`)}
        >
          {busy === 'console' ? 'Opening console…' : 'Open console'}
        </button>
        <button
          type="button"
          className="secondary"
          disabled={busy !== null}
          onClick={() => run('manage', '/api/virtfusion/login')}
        >
          {busy === 'manage' ? 'Opening VirtFusion…' : 'Manage in VirtFusion'}
        </button>
      </p>
      <p className="muted small">Each opens in a new tab with a sign-in that works once, for 60 seconds.</p>
      <ErrorMessage error={error} />
    </div>
  );
}

/** The hostname, with the same rules as at deploy (the API checks them and says what is wrong). */
export function Rename({
  scope,
  server,
  blocked,
}: {
  scope: ServerScope;
  server: ServerDetailView;
  blocked: string | null;
}) {
  const [editing, setEditing] = useState(false);
  const [hostname, setHostname] = useState(server.hostname);
  const runner = useActionRunner(scope);
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (await runner.change('rename', { hostname: hostname.trim() })) setEditing(false);
  }
  return (
    <div className="panel" data-testid="rename">
      <h3>Hostname</h3>
      {editing ? (
        <form className="inline" onSubmit={(e) => void submit(e)}>
          <label>
            New hostname
            <input
              value={hostname}
              onChange={(e) => setHostname(e.target.value)}
              autoComplete="off"
              autoCapitalize="off"
              spellCheck={false}
              autoFocus
              required
            />
          </label>
          <button type="submit" disabled={runner.busy || hostname.trim() === ''}>
            Save
          </button>
          <button
            type="button"
            className="secondary"
            onClick={() => {
              setEditing(false);
              setHostname(server.hostname);
              runner.setError(null);
            }}
          >
            Keep {server.hostname}
          </button>
        </form>
      ) : (
        <button
          type="button"
          className="secondary"
          disabled={blocked !== null}
          onClick={() => {
            setHostname(server.hostname);
            setEditing(true);
          }}
        >
          Rename…
        </button>
      )}
      <ErrorMessage error={runner.error} />
    </div>
  );
}

/**
 * Cancel at the end of the paid period (no more renewals, deleted when paid_until passes, no
 * refund), or keep it before then.
 */
export function PeriodEnd({ scope, server }: { scope: ServerScope; server: ServerDetailView }) {
  const [confirming, setConfirming] = useState(false);
  const runner = useActionRunner(scope);
  // After cancel or keep, the button that did it is gone: focus goes to the one that undoes it.
  const next = useRef<HTMLButtonElement>(null);
  const changedHere = useRef(false);
  useEffect(() => {
    if (changedHere.current) next.current?.focus();
    changedHere.current = false;
  }, [server.cancelAtPeriodEnd]);
  const change = (path: string) => {
    changedHere.current = true;
    return runner.change(path);
  };
  const until = server.paidUntil ? formatDate(server.paidUntil) : 'the end of the paid period';
  return (
    <div className="panel" data-testid="period-end">
      <h3>Cancel</h3>
      {server.cancelAtPeriodEnd ? (
        <>
          <p className="notice" data-testid="cancel-scheduled">
            Cancelled: this server is deleted on {until}, with everything on it. It will not renew.
          </p>
          <button ref={next} type="button" disabled={runner.busy} onClick={() => void change('keep')}>
            Keep this server
          </button>
        </>
      ) : confirming ? (
        <ConfirmPanel
          title="Cancel at the end of the paid period?"
          confirmLabel="Cancel at period end"
          danger
          busy={runner.busy}
          onCancel={() => setConfirming(false)}
          onConfirm={() =>
            void change('cancel-at-period-end').then((ok) => {
              if (ok) setConfirming(false);
            })
          }
        >
          <p>
            The server keeps running until {until}, then it is deleted with everything on it. Nothing more is
            charged and nothing is refunded. You can keep it until then.
          </p>
        </ConfirmPanel>
      ) : (
        <button ref={next} type="button" className="secondary" onClick={() => setConfirming(true)}>
          Cancel at the end of the paid period…
        </button>
      )}
      <ErrorMessage error={runner.error} />
    </div>
  );
}
