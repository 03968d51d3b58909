import type { ServerAction as ServerActionView, SshKey as SshKeyView } from '@ozvps/contracts';
import { AdminServerRow, ServerDetails } from './server-details.service';
import { ServerAction } from './server-action.entity';
import { SshKey } from './ssh-key.entity';
import { toAdminServerView } from './server.view';

/** An action as the API and `ozvpsctl --json` show it. */
export function toActionView(a: ServerAction): ServerActionView & { actor: string } {
  return {
    id: a.id,
    kind: a.kind,
    status: a.status,
    actor: a.actor,
    startedAt: a.startedAt.toISOString(),
    finishedAt: a.finishedAt?.toISOString() ?? null,
    message: a.message,
  };
}

export function toSshKeyView(k: SshKey): SshKeyView {
  return {
    id: k.id,
    name: k.name,
    type: k.type,
    bits: k.bits,
    fingerprint: k.fingerprint,
    createdAt: k.createdAt.toISOString(),
  };
}

/** The server page's extras (plan specs, OS, addresses, next renewal, history in words). */
export function toDetailsView(d: ServerDetails) {
  return {
    plan: d.plan,
    os: d.os,
    ipv4: d.ipv4,
    ipv6: d.ipv6,
    nextRenewalAt: d.nextRenewalAt,
    history: d.history,
  };
}

/** A row of the admin servers list. */
export function toAdminServerRowView(r: AdminServerRow) {
  return { ...toAdminServerView(r.server), owner: r.owner, planName: r.planName, care: r.care };
}
