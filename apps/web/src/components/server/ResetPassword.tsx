import { useEffect, useRef, useState } from 'react';
import { api } from '../../api';
import { ServerAction } from '../../api';
import { ConfirmPanel } from '../../confirm';
import { ErrorMessage } from '../../ui';
import { useActionRunner } from './actions';
import { ServerScope } from './server-api';

/**
 * The new root password is shown once: it lives only in this component's state (never in a URL,
 * storage or the query cache), and is gone on Done, on leaving the page or on reload.
 */
export function ResetPassword({ scope, blocked }: { scope: ServerScope; blocked: string | null }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [password, setPassword] = useState<string | null>(null);
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const runner = useActionRunner(scope);
  const shown = useRef<HTMLDivElement>(null);
  const opener = useRef<HTMLButtonElement>(null);

  const wasShown = useRef(false);
  // Into the password when it appears; back to the button when Done takes it away.
  useEffect(() => {
    if (password) shown.current?.focus();
    else if (wasShown.current) opener.current?.focus();
    wasShown.current = password !== null;
  }, [password]);

  async function reset() {
    setConfirming(false);
    setBusy(true);
    setError(null);
    try {
      const answer = await api.post<{ password: string; action?: ServerAction }>(
        `${scope.base}/reset-password`,
      );
      setCopied(null);
      setPassword(answer.password);
      // VirtFusion applies it through its queue: the page follows that like any other action.
      if (answer.action) runner.track(answer.action);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function copy() {
    try {
      await navigator.clipboard.writeText(password ?? '');
      setCopied('yes');
    } catch {
      // No clipboard (http, or refused): the password is selectable on the page.
      setCopied('no');
    }
  }

  return (
    <div className="panel" data-testid="reset-password">
      <h3>Root password</h3>
      {password ? (
        <div ref={shown} tabIndex={-1} className="notice success" role="group" aria-label="New root password">
          <p>
            The new root password, shown <strong>only this once</strong>: copy it now. The panel does not keep
            it.
          </p>
          <p className="inline">
            <code className="secret" data-testid="root-password">
              {password}
            </code>
            <button type="button" className="secondary" onClick={() => void copy()}>
              Copy
            </button>
          </p>
          <p role="status" className="small">
            {copied === 'yes'
              ? 'Copied.'
              : copied === 'no'
                ? 'Copying did not work: select it and copy.'
                : ''}
          </p>
          <button type="button" onClick={() => setPassword(null)}>
            Done, I have saved it
          </button>
        </div>
      ) : (
        <button
          ref={opener}
          type="button"
          className="secondary"
          disabled={blocked !== null || busy || confirming}
          onClick={() => setConfirming(true)}
        >
          {busy ? 'Resetting…' : 'Reset root password…'}
        </button>
      )}
      {confirming && (
        <ConfirmPanel
          title="Reset the root password?"
          confirmLabel="Reset password"
          danger
          onCancel={() => setConfirming(false)}
          onConfirm={() => void reset()}
        >
          <p>The current root password stops working. The new one is shown once on this page.</p>
        </ConfirmPanel>
      )}
      <ErrorMessage error={error} />
    </div>
  );
}
