import { ServerEvent } from './server.entity';

/** One line of a server's history as its owner reads it. */
export interface HistoryLine {
  at: string;
  text: string;
  /** Who did it, from the owner's point of view. */
  actor: 'you' | 'support' | 'system';
}

const ACTION_WORDS: Record<string, { done: string; noun: string }> = {
  start: { done: 'Started', noun: 'Start' },
  shutdown: { done: 'Shut down', noun: 'Shut down' },
  restart: { done: 'Restarted', noun: 'Restart' },
  poweroff: { done: 'Powered off', noun: 'Power off' },
  reinstall: { done: 'Reinstalled', noun: 'Reinstall' },
  reset_password: { done: 'Root password reset', noun: 'Root password reset' },
};

/** "2026-03-03T09:00:00.000Z" anywhere in a detail, as "3 Mar 2026". */
function day(text: string): string {
  return text.replace(/(\d{4})-(\d{2})-(\d{2})(T[0-9:.]+Z)?/g, (_, y: string, m: string, d: string) => {
    const month = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ')[Number(m) - 1];
    return `${Number(d)} ${month} ${y}`;
  });
}

function actorOf(actor: string, ownerId: number): HistoryLine['actor'] {
  if (actor === `user:${ownerId}`) return 'you';
  if (actor.startsWith('admin:') || actor.startsWith('cli:')) return 'support';
  return 'system';
}

/** The sentence for one event, or null for the panel's own bookkeeping (VirtFusion ids, retries). */
function sentence(e: ServerEvent): string | null {
  const detail = e.detail ?? '';
  const action = /^(start|shutdown|restart|poweroff|reinstall|reset_password)_(succeeded|failed)$/.exec(
    e.type,
  );
  if (action) {
    const words = ACTION_WORDS[action[1]!]!;
    if (action[2] === 'succeeded') return detail ? `${words.done}: ${detail}` : words.done;
    return `${words.noun} failed${detail ? `: ${detail}` : ''}`;
  }
  switch (e.type) {
    case 'awaiting_funds':
      return `Ordered; waiting for your payment${detail ? ` (${detail.replace(/ opened$/, '')})` : ''}`;
    case 'charged':
      return `Ordered and paid: ${detail}`;
    case 'cancelled':
      return `Order cancelled: ${detail}`;
    case 'active':
      return detail.startsWith('IPv4 ') ? `Ready at ${detail.slice(5)}` : 'Ready';
    case 'failed':
      return 'Setting up the server failed';
    case 'refunded':
      return `Refunded: ${detail}`;
    case 'renewal_charged':
      return `Renewed: ${day(detail.replace(' to ', ', paid until '))}`;
    case 'renewal_unpaid':
      return `Renewal not paid: ${detail}`;
    case 'suspended':
      return e.actor === 'system' ? `Suspended: ${detail}` : 'Suspended by support';
    case 'unsuspended':
      return e.actor === 'system' ? 'Unsuspended: the renewal was paid' : 'Unsuspended by support';
    case 'terminated':
      return `Terminated: ${detail}`;
    case 'reprice_scheduled':
      return `New price announced: ${day(detail)}`;
    case 'reprice_cancelled':
      return `Announced price change withdrawn: ${day(detail)}`;
    case 'repriced':
      return `New price: ${detail}`;
    case 'renamed':
      return `Renamed: ${detail}`;
    case 'cancel_at_period_end':
      return `Cancelled at the end of the paid period: ${day(detail)}`;
    case 'kept':
      return 'Cancellation withdrawn: it renews as usual';
    default:
      return null;
  }
}

/** A server's events as sentences its owner understands, oldest first. */
export function historyInWords(events: ServerEvent[], ownerId: number): HistoryLine[] {
  const out: HistoryLine[] = [];
  for (const e of events) {
    const text = sentence(e);
    if (text) out.push({ at: e.createdAt.toISOString(), text, actor: actorOf(e.actor, ownerId) });
  }
  return out;
}
