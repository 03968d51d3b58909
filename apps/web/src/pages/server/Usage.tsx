import { ServerTraffic } from '../../api';
import { formatDate } from '../../money';
import { ErrorMessage, Loading } from '../../ui';
import { bytes, isVirtFusionDown, ServerScope, useTraffic } from './server-api';

const day = (iso: string) => new Date(iso).toLocaleDateString('en-AU', { day: 'numeric', month: 'short' });

/**
 * Daily traffic (in + out) as bars scaled to the busiest day; the SVG stretches to its box, so it
 * never makes a phone scroll sideways. The numbers are in the text and the table too.
 */
export function TrafficChart({ traffic }: { traffic: ServerTraffic }) {
  const days = traffic.days;
  const total = (d: { inBytes: number; outBytes: number }) => d.inBytes + d.outBytes;
  const max = Math.max(1, ...days.map(total));
  const w = 100 / Math.max(1, days.length);
  const h = 60;
  return (
    <svg
      className="traffic-chart"
      viewBox={`0 0 100 ${h}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={`Daily traffic, busiest day ${bytes(max)}`}
      data-testid="traffic-chart"
    >
      <line x1="0" y1={h} x2="100" y2={h} className="axis" />
      {days.map((d, i) => {
        const outH = (d.outBytes / max) * h;
        const inH = (d.inBytes / max) * h;
        return (
          <g key={d.date}>
            <title>{`${day(d.date)}: ${bytes(d.inBytes)} in, ${bytes(d.outBytes)} out`}</title>
            <rect className="bar-in" x={i * w + w * 0.1} width={w * 0.8} y={h - inH - outH} height={inH} />
            <rect className="bar-out" x={i * w + w * 0.1} width={w * 0.8} y={h - outH} height={outH} />
          </g>
        );
      })}
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
  return (
    <>
      <p data-testid="traffic-used">
        {bytes(t.usedBytes)} used
        {t.allowanceBytes
          ? ` of ${bytes(t.allowanceBytes)} (${Math.round((share ?? 0) * 100)}%)`
          : ' (unmetered)'}{' '}
        <span className="muted small">
          from {formatDate(t.periodStart)} to {formatDate(t.periodEnd)}
        </span>
      </p>
      {share !== null && (
        <svg className="traffic-meter" viewBox="0 0 100 4" preserveAspectRatio="none" aria-hidden="true">
          <rect className="meter-bg" x="0" y="0" width="100" height="4" />
          <rect className={share > 0.9 ? 'meter-high' : 'meter'} x="0" y="0" width={share * 100} height="4" />
        </svg>
      )}
      {t.days.length > 0 && (
        <>
          <TrafficChart traffic={t} />
          <p className="muted small">
            <span className="key-in">■</span> in <span className="key-out">■</span> out, per day
          </p>
        </>
      )}
    </>
  );
}
