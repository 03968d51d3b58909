/** Documents are dated, and periods counted, in the seller's time zone (the panel sells in Australia). */
export const DOCUMENT_TIME_ZONE = 'Australia/Sydney';

const WALL = new Intl.DateTimeFormat('en-US', {
  timeZone: DOCUMENT_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** Minutes the zone is ahead of UTC at this instant (+600 or +660 in Sydney). */
function offsetMinutes(at: Date): number {
  const p = Object.fromEntries(WALL.formatToParts(at).map((x) => [x.type, x.value]));
  const wall = Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!);
  return Math.round((wall - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

/** The instant a calendar day (YYYY-MM-DD) begins in the documents' time zone; null if not a date. */
export function dayStart(date: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return null;
  const midnight = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!);
  const check = new Date(midnight);
  if (check.toISOString().slice(0, 10) !== date) return null;
  // Twice: the offset at the first guess may differ from the offset at the answer (DST change).
  let t = midnight - offsetMinutes(new Date(midnight)) * 60_000;
  t = midnight - offsetMinutes(new Date(t)) * 60_000;
  return new Date(t);
}

/** The calendar day (YYYY-MM-DD) of an instant in the documents' time zone. */
export function documentDate(at: Date): string {
  const p = Object.fromEntries(WALL.formatToParts(at).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}`;
}
