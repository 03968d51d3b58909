import { useState } from 'react';
import { Link } from 'wouter';
import { ConfirmPanel } from '../../confirm';
import { ErrorMessage, Loading } from '../../ui';
import { useActionRunner } from './actions';
import { ServerScope, useServerTemplates, useSshKeys } from './server-api';

/** SSH keys as checkboxes (deploy and reinstall): the ids chosen go to VirtFusion with the build. */
export function SshKeyChoice({ chosen, onChange }: { chosen: number[]; onChange: (ids: number[]) => void }) {
  const keys = useSshKeys();
  if (keys.isPending) return <Loading what="your SSH keys" />;
  if (keys.error) return <ErrorMessage error={keys.error} onRetry={() => void keys.refetch()} />;
  return (
    <fieldset className="keys">
      <legend>SSH keys (optional)</legend>
      {keys.data.length === 0 ? (
        <p className="muted small">
          You have no SSH keys yet. <Link href="/ssh-keys">Add one</Link> to sign in without a password.
        </p>
      ) : (
        keys.data.map((k) => (
          <label key={k.id}>
            <input
              type="checkbox"
              checked={chosen.includes(k.id)}
              onChange={(e) =>
                onChange(e.target.checked ? [...chosen, k.id] : chosen.filter((id) => id !== k.id))
              }
            />
            {k.name} <span className="muted small mono">{k.fingerprint}</span>
          </label>
        ))
      )}
    </fieldset>
  );
}

/**
 * Reinstall erases the disk: an OS template, optional SSH keys, and the hostname typed to confirm.
 * The build is then tracked by the page like any other action.
 */
export function Reinstall({
  scope,
  hostname,
  blocked,
}: {
  scope: ServerScope;
  hostname: string;
  blocked: string | null;
}) {
  const [open, setOpen] = useState(false);
  const [templateId, setTemplateId] = useState<number | null>(null);
  const [keyIds, setKeyIds] = useState<number[]>([]);
  const runner = useActionRunner(scope);
  const templates = useServerTemplates(scope, open);
  const fields = (
    <div className="stack">
      <label>
        Operating system
        {templates.isPending ? (
          <Loading what="operating systems" />
        ) : templates.error ? (
          <ErrorMessage error={templates.error} onRetry={() => void templates.refetch()} />
        ) : (
          <select value={templateId ?? ''} onChange={(e) => setTemplateId(Number(e.target.value) || null)}>
            <option value="">Choose…</option>
            {templates.data.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        )}
      </label>
      {/* An admin reinstalls without the customer's keys: they are the customer's to choose. */}
      {!scope.admin && <SshKeyChoice chosen={keyIds} onChange={setKeyIds} />}
    </div>
  );
  return (
    <div className="panel" data-testid="reinstall">
      <h3>Reinstall</h3>
      {!open && (
        <button type="button" className="secondary" disabled={blocked !== null} onClick={() => setOpen(true)}>
          Reinstall…
        </button>
      )}
      {open && (
        <ConfirmPanel
          title="Reinstall the server"
          confirmLabel="Erase and reinstall"
          danger
          typed={hostname}
          busy={runner.busy || templateId === null || blocked !== null}
          extra={fields}
          onCancel={() => setOpen(false)}
          onConfirm={(typedHostname) =>
            void runner
              .start('reinstall', {
                templateId,
                ...(keyIds.length ? { sshKeyIds: keyIds } : {}),
                confirmHostname: typedHostname,
              })
              .then((ok) => {
                if (ok) setOpen(false);
              })
          }
        >
          <p>
            Everything on the server's disk is erased and the chosen operating system is installed fresh. This
            cannot be undone.
          </p>
        </ConfirmPanel>
      )}
      <ErrorMessage error={runner.error} />
    </div>
  );
}
