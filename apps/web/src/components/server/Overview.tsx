import { ServerDetailView, ServerEventView, ServerHistoryEntry, ServerState } from '../../api';
import { formatDate, formatMoney } from '../../money';
import { memory, POWER_LABELS } from './server-api';

function Addresses({ list, testId }: { list: string[]; testId: string }) {
  if (list.length === 0) return <dd>—</dd>;
  return (
    <dd data-testid={testId}>
      {list.map((ip) => (
        <div key={ip} className="mono">
          {ip}
        </div>
      ))}
    </dd>
  );
}

/**
 * What the customer pays for and where it stands. `power`: VirtFusion's word from /state (the
 * admin page has none); `powerError`: /state failed (VirtFusion did not answer).
 */
export function Overview({
  server: s,
  power,
  powerUnavailable,
}: {
  server: ServerDetailView;
  power: ServerState | undefined;
  powerUnavailable: boolean;
}) {
  const ipv4 = s.ipv4?.length ? s.ipv4 : s.ipAddress ? [s.ipAddress] : [];
  const plan = s.plan;
  return (
    <dl className="details">
      {plan && (
        <>
          <dt>Plan</dt>
          <dd data-testid="server-plan">
            {plan.name}
            <span className="muted">
              {' '}
              · {plan.vcpu} vCPU · {memory(plan.memoryMb)} memory · {plan.diskGb} GB disk ·{' '}
              {plan.trafficGb ? `${plan.trafficGb} GB traffic` : 'unmetered traffic'}
            </span>
          </dd>
        </>
      )}
      <dt>Operating system</dt>
      <dd>{s.os ?? '—'}</dd>
      <dt>Hostname</dt>
      <dd className="mono">{s.hostname}</dd>
      <dt>IPv4</dt>
      <Addresses list={ipv4} testId="server-ipv4" />
      <dt>IPv6</dt>
      <Addresses list={s.ipv6 ?? []} testId="server-ipv6" />
      {(power || powerUnavailable) && (
        <>
          <dt>Power</dt>
          <dd data-testid="power-state">
            {powerUnavailable || !power?.reachable ? 'VirtFusion did not answer' : POWER_LABELS[power.power]}
          </dd>
        </>
      )}
      <dt>Monthly price</dt>
      <dd data-testid="server-price">{formatMoney(s.priceMonthlyCents, s.currency)}</dd>
      {s.scheduledPrice && (
        <>
          <dt>New monthly price</dt>
          <dd data-testid="server-scheduled-price">
            {formatMoney(s.scheduledPrice.amountCents, s.currency)} from the renewal on{' '}
            {formatDate(s.scheduledPrice.fromDate)}
          </dd>
        </>
      )}
      <dt>Paid until</dt>
      <dd>{s.paidUntil ? formatDate(s.paidUntil) : '—'}</dd>
      <dt>Next renewal</dt>
      <dd data-testid="next-renewal">
        {s.cancelAtPeriodEnd
          ? 'None: cancelled at the end of the paid period'
          : s.nextRenewalAt
            ? formatDate(s.nextRenewalAt)
            : '—'}
      </dd>
      <dt>Ordered</dt>
      <dd>{formatDate(s.createdAt)}</dd>
    </dl>
  );
}

export function History({ entries }: { entries: ServerHistoryEntry[] }) {
  if (entries.length === 0) return <p className="muted">Nothing has happened to this server yet.</p>;
  return (
    <ul className="history" data-testid="server-history">
      {entries.map((e, i) => (
        <li key={i}>
          <time dateTime={e.at}>{formatDate(e.at)}</time> {e.text}
          {e.actor === 'support' && <span className="muted small"> (by our team)</span>}
        </li>
      ))}
    </ul>
  );
}

/** What the panel recorded, as recorded (actor ids, admins' reasons): for admins only. */
export function EventLog({ events }: { events: ServerEventView[] }) {
  if (events.length === 0) return null;
  return (
    <details>
      <summary>Event log (as recorded)</summary>
      <ul className="history small" data-testid="event-log">
        {events.map((e, i) => (
          <li key={i}>
            <time dateTime={e.at}>{formatDate(e.at)}</time> <span className="mono">{e.type}</span> · {e.actor}
            {e.detail ? ` — ${e.detail}` : ''}
          </li>
        ))}
      </ul>
    </details>
  );
}
