import { useQuery } from '@tanstack/react-query';
import { ApiError, ServerAction, ServerState, ServerStatus } from '../../api';
import { queries, ServerPageData, ServerScope } from '../../queries';

export { readDetail, readList } from '../../queries';
export type { ServerPageData, ServerScope } from '../../queries';

export const customerScope = (id: string): ServerScope => ({ admin: false, id, base: `/api/servers/${id}` });
export const adminScope = (id: string): ServerScope => ({
  admin: true,
  id,
  base: `/api/admin/servers/${id}`,
});

/** Every poll of a running action waits this long (the API settles the action with VirtFusion). */
export const POLL_MS = 2000;

const moving = (d: ServerPageData | undefined) =>
  !!d &&
  (d.server.status === 'awaiting_funds' ||
    d.server.status === 'provisioning' ||
    d.action?.status === 'running');

export const detailKey = (scope: ServerScope) => queries.serverDetail(scope).queryKey;
export const stateKey = (scope: ServerScope) => queries.serverState(scope).queryKey;

export function useServerDetail(scope: ServerScope, pollMs = POLL_MS) {
  return useQuery({
    ...queries.serverDetail(scope),
    refetchInterval: (q) => (moving(q.state.data) ? pollMs : false),
  });
}

/** The power state and the running action; asked again every 2 s while an action runs, then not. */
export function useServerState(scope: ServerScope, enabled: boolean, pollMs = POLL_MS) {
  return useQuery({
    ...queries.serverState(scope),
    enabled: enabled && !scope.admin,
    retry: false,
    refetchInterval: (q) => (q.state.data?.action?.status === 'running' ? pollMs : false),
  });
}

export const useSshKeys = (enabled = true) => useQuery({ ...queries.sshKeys(), enabled });

export const useServerTemplates = (scope: ServerScope, enabled: boolean) =>
  useQuery({ ...queries.serverTemplates(scope), enabled });

export function useTraffic(scope: ServerScope, enabled: boolean) {
  return useQuery({
    ...queries.traffic(scope),
    enabled,
    // 502 means VirtFusion did not answer: said once, plainly, not retried behind a spinner.
    retry: false,
  });
}

export const isVirtFusionDown = (err: unknown) =>
  err instanceof ApiError && (err.status === 502 || err.code === 'virtfusion_unavailable');

const ACTION_WORDS: Record<string, { running: string; done: string; name: string }> = {
  start: { running: 'Starting', done: 'Started', name: 'Start' },
  shutdown: { running: 'Shutting down', done: 'Shut down', name: 'Shut down' },
  restart: { running: 'Restarting', done: 'Restarted', name: 'Restart' },
  poweroff: { running: 'Powering off', done: 'Powered off', name: 'Power off' },
  reinstall: { running: 'Reinstalling', done: 'Reinstalled', name: 'Reinstall' },
  reset_password: {
    running: 'Resetting the root password',
    done: 'Root password reset',
    name: 'Reset password',
  },
  rename: { running: 'Renaming', done: 'Renamed', name: 'Rename' },
};

/** "Restarting…", "Restarted.", "Restart failed: <VirtFusion's words>" */
export function actionSentence(action: ServerAction): string {
  const words = ACTION_WORDS[action.kind] ?? {
    running: `Running ${action.kind.replace(/_/g, ' ')}`,
    done: `${action.kind.replace(/_/g, ' ')} done`,
    name: action.kind.replace(/_/g, ' '),
  };
  switch (action.status) {
    case 'running':
      return `${words.running}…`;
    case 'succeeded':
      return `${words.done}.${action.message ? ` ${action.message}` : ''}`;
    case 'failed':
      return `${words.name} did not finish: ${action.message ?? 'VirtFusion reported a failure'}.`;
  }
}

export const POWER_LABELS: Record<ServerState['power'], string> = {
  running: 'Running',
  stopped: 'Stopped',
  building: 'Being built',
  suspended: 'Suspended',
  unknown: 'Unknown',
};

const gib = 1024 ** 3;
/** 1536 → "1.5 GB" (memory is in MB). */
export const memory = (mb: number) => (mb >= 1024 ? `${+(mb / 1024).toFixed(1)} GB` : `${mb} MB`);
/** Bytes in the binary units VirtFusion counts traffic in, written as GB like the plans. */
export function bytes(n: number): string {
  if (n >= gib) return `${+(n / gib).toFixed(n >= 100 * gib ? 0 : 1)} GB`;
  if (n >= 1024 ** 2) return `${+(n / 1024 ** 2).toFixed(0)} MB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(0)} KB`;
  return `${n} B`;
}

export const STATUS_LABELS: Record<ServerStatus, string> = {
  awaiting_funds: 'Waiting for your payment',
  provisioning: 'Being set up',
  active: 'Running',
  suspended: 'Suspended',
  failed: 'Could not be set up',
  terminated: 'Deleted',
  cancelled: 'Cancelled',
};
