import { ServerTraffic } from '../../api';
import { ErrorMessage, Loading } from '../../ui';
import { bytes, isVirtFusionDown, ServerScope, useTraffic } from './server-api';

export interface TrafficBar {
  label: string;
  inBytes: number;
  outBytes: number;
}

const dayLabel = (iso: string) =>
  new Date(iso).toLocaleDateString('en-AU', { day: 'numeric', month: 'short', timeZone: 'UTC' });
/** VirtFusion writes "2026-02-01 00:00:00" (UTC); not every browser parses that, so it is made ISO. */
const utc = (text: string) =>
  /^\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)?$/.test(text) ? `${text.replace(' ', 'T')}Z` : text;
const dateOnly = (text: string) =>
  new Date(utc(text)).toLocaleDateString('en-AU', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  });
const monthLabel = (text: string) =>
  new Date(utc(text)).toLocaleDateString('en-AU', { month: 'short', year: 'numeric', timeZone: 'UTC' });

/** Days when VirtFusion gives them, else its billing months, oldest first. */
export function trafficBars(t: ServerTraffic): TrafficBar[] {
  if (t.days.length > 0) return t.days.map((d) => ({ label: dayLabel(d.date), ...d }));
  return (t.months ?? [])
    .slice()
    .reverse()
    .map((m) => ({ label: monthLabel(m.periodStart), inBytes: m.inBytes, outBytes: m.outBytes }));
}

/**
 * Traffic (in + out) as stacked bars scaled to the busiest bar or the allowance, whichever is
 * higher, with the allowance as a dashed line. The SVG stretches to its box, so it never makes a
 * phone scroll sideways; the numbers are in its title and in the text beside it.
 */
export function TrafficChart({
  bars,
  unit,
  allowanceBytes,
}: {
  bars: TrafficBar[];
  unit: 'day' | 'month';
  allowanceBytes: number | null;
}) {
  const total = (b: TrafficBar) => b.inBytes + b.outBytes;
  const busiest = Math.max(0, ...bars.map(total));
  // A tenth of headroom, so the busiest bar or the allowance line never sits on the frame.
  const max = Math.max(1, busiest, allowanceBytes ?? 0) * 1.1;
  const w = 100 / Math.max(1, bars.length);
  const h = 60;
  const allowanceY = allowanceBytes ? h - (allowanceBytes / max) * h : null;
  return (
    <svg
      className="traffic-chart"
      viewBox={`0 0 100 ${h}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={`Traffic per ${unit}: busiest ${bytes(busiest)}${
        allowanceBytes ? `, allowance ${bytes(allowanceBytes)}` : ''
      }`}
      data-testid="traffic-chart"
    >
      <line x1="0" y1={h} x2="100" y2={h} className="axis" />
      {bars.map((b, i) => {
        const outH = (b.outBytes / max) * h;
        const inH = (b.inBytes / max) * h;
        return (
          <g key={`${b.label}-${i}`}>
            <title>{`${b.label}: ${bytes(b.inBytes)} in, ${bytes(b.outBytes)} out`}</title>
            <rect className="bar-in" x={i * w + w * 0.15} width={w * 0.7} y={h - inH - outH} height={inH} />
            <rect className="bar-out" x={i * w + w * 0.15} width={w * 0.7} y={h - outH} height={outH} />
          </g>
        );
      })}
      {allowanceY !== null && (
        <line
          x1="0"
          x2="100"
          y1={allowanceY}
          y2={allowanceY}
          className="allowance"
          data-testid="allowance-line"
        />
      )}
    </svg>
  );
}

export function Usage({ scope }: { scope: ServerScope }) {
  const traffic = useTraffic(scope, true);
  return (
    <section aria-labelledby="usage-title" data-testid="usage">
      <h2 id="usage-title">Usage</h2>
      {traffic.isPending ? (
        <Loading what="traffic" />
      ) : traffic.error ? (
        isVirtFusionDown(traffic.error) ? (
          <p className="notice" data-testid="usage-unavailable">
            VirtFusion did not answer, so this period's traffic cannot be shown right now. Try again later.
          </p>
        ) : (
          <ErrorMessage error={traffic.error} />
        )
      ) : (
        <UsageSummary traffic={traffic.data} />
      )}
    </section>
  );
}

function UsageSummary({ traffic: t }: { traffic: ServerTraffic }) {
  const share = t.allowanceBytes ? Math.min(1, t.usedBytes / t.allowanceBytes) : null;
  const bars = trafficBars(t);
  return (
    <>
      <p data-testid="traffic-used">
        {bytes(t.usedBytes)} used
        {t.allowanceBytes
          ? ` of ${bytes(t.allowanceBytes)} (${Math.round((share ?? 0) * 100)}%)`
          : ' (unmetered)'}
        {t.periodStart && t.periodEnd && (
          <span className="muted small">
            {' '}
            this period, {dateOnly(t.periodStart)} to {dateOnly(t.periodEnd)}
          </span>
        )}
      </p>
      {share !== null && (
        <svg className="traffic-meter" viewBox="0 0 100 4" preserveAspectRatio="none" aria-hidden="true">
          <rect className="meter-bg" x="0" y="0" width="100" height="4" />
          <rect className={share > 0.9 ? 'meter-high' : 'meter'} x="0" y="0" width={share * 100} height="4" />
        </svg>
      )}
      {bars.every((b) => b.inBytes + b.outBytes === 0) ? (
        <p className="muted" data-testid="no-traffic">
          No traffic recorded yet.
        </p>
      ) : (
        <>
          <TrafficChart
            bars={bars}
            unit={t.days.length > 0 ? 'day' : 'month'}
            allowanceBytes={t.allowanceBytes}
          />
          <p className="muted small">
            <span className="key-in">■</span> in <span className="key-out">■</span> out, per{' '}
            {t.days.length > 0 ? 'day' : 'month'}
            {t.allowanceBytes ? ' · dashed line: the allowance' : ''}
          </p>
        </>
      )}
    </>
  );
}
