import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, PowerAction, PowerState, ServerAction, ServerDetailView, ServerState } from '../../api';
import { ConfirmPanel } from '../../confirm';
import { keys } from '../../queries';
import { ErrorMessage } from '../../ui';
import { detailKey, ServerPageData, ServerScope, stateKey } from './server-api';

/**
 * Starts an action and hands its running row to the page's cache, so the page polls until it
 * settles. Errors (409 another action, 429, 502 …) are kept for the caller to show.
 */
export function useActionRunner(scope: ServerScope) {
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  function track(action: ServerAction) {
    if (scope.admin) {
      queryClient.setQueryData<ServerPageData>(detailKey(scope), (old) => (old ? { ...old, action } : old));
    } else {
      queryClient.setQueryData<ServerState>(stateKey(scope), (old) => ({
        power: old?.power ?? 'unknown',
        reachable: old?.reachable ?? false,
        action,
      }));
    }
  }

  /** POST an action that answers 202 { action }. */
  async function start(path: string, body: unknown = {}): Promise<boolean> {
    setBusy(true);
    setError(null);
    try {
      const answer = await api.post<{ action: ServerAction }>(`${scope.base}/${path}`, body);
      track(answer.action);
      return true;
    } catch (err) {
      setError(err);
      return false;
    } finally {
      setBusy(false);
    }
  }

  /** POST a change that answers with the server view (rename, cancel at period end, keep, …). */
  async function change(path: string, body: unknown = {}): Promise<boolean> {
    setBusy(true);
    setError(null);
    try {
      const answer = await api.post<{ server?: ServerDetailView } & Partial<ServerDetailView>>(
        `${scope.base}/${path}`,
        body,
      );
      const server = (answer.server ?? answer) as ServerDetailView;
      queryClient.setQueryData<ServerPageData>(detailKey(scope), (old) =>
        old ? { ...old, server: { ...old.server, ...server } } : old,
      );
      await queryClient.invalidateQueries({ queryKey: detailKey(scope) });
      await queryClient.invalidateQueries({ queryKey: keys.servers });
      return true;
    } catch (err) {
      setError(err);
      return false;
    } finally {
      setBusy(false);
    }
  }

  return { busy, error, setError, start, change, track };
}

const POWER_BUTTONS: { action: PowerAction; label: string; when: (p: PowerState | undefined) => boolean }[] =
  [
    { action: 'start', label: 'Start', when: (p) => p !== 'running' },
    { action: 'shutdown', label: 'Shut down', when: (p) => p !== 'stopped' },
    { action: 'restart', label: 'Restart', when: (p) => p !== 'stopped' },
    { action: 'poweroff', label: 'Power off…', when: (p) => p !== 'stopped' },
  ];

/**
 * Start, graceful shut down, restart, and a forced power off behind a confirmation. `blocked`
 * says why none of them can run now (suspended, not ready, another action running).
 */
export function PowerControls({
  scope,
  power,
  blocked,
}: {
  scope: ServerScope;
  power: PowerState | undefined;
  blocked: string | null;
}) {
  const runner = useActionRunner(scope);
  const [confirmOff, setConfirmOff] = useState(false);
  const disabled = blocked !== null || runner.busy;
  return (
    <div className="panel" data-testid="power">
      <h3>Power</h3>
      <p className="inline">
        {POWER_BUTTONS.map((b) => (
          <button
            key={b.action}
            type="button"
            className={b.action === 'poweroff' ? 'secondary danger-text' : 'secondary'}
            disabled={disabled || !b.when(power)}
            title={
              blocked ??
              (b.when(power)
                ? undefined
                : `The server is already ${power === 'running' ? 'running' : 'stopped'}.`)
            }
            onClick={() => {
              if (b.action === 'poweroff') setConfirmOff(true);
              else void runner.start('power', { action: b.action });
            }}
          >
            {b.label}
          </button>
        ))}
      </p>
      {confirmOff && (
        <ConfirmPanel
          title="Power off the server?"
          confirmLabel="Power off now"
          danger
          busy={runner.busy}
          onCancel={() => setConfirmOff(false)}
          onConfirm={() => {
            setConfirmOff(false);
            void runner.start('power', { action: 'poweroff' });
          }}
        >
          <p>
            Power off cuts the power at once, like pulling the plug: anything not yet written to disk is lost.
            Shut down asks the operating system to stop cleanly.
          </p>
        </ConfirmPanel>
      )}
      <ErrorMessage error={runner.error} />
    </div>
  );
}
