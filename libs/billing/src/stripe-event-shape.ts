/** A plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What is wrong with a signed event's shape, as far as the handler reads it; null when nothing. */
export function malformation(event: unknown): string | null {
  if (!isObject(event)) return 'the event is not a JSON object';
  if (typeof event.id !== 'string' || !event.id) return 'no event id';
  if (!EVENT_ID.test(event.id)) return 'the event id is not evt_ and up to 251 letters, digits or _';
  if (typeof event.type !== 'string' || !event.type) return 'no event type';
  if (!EVENT_TYPE.test(event.type)) return 'the event type is not lower-case words separated by dots';
  if (typeof event.livemode !== 'boolean') return 'livemode is not true or false';
  if (!isObject(event.data)) return 'data is missing or not an object';
  const o = event.data.object;
  if (!isObject(o)) return 'data.object is missing or not an object';
  // Whatever the handler may store or look up (any event type: the record names the customer).
  const metadata = isObject(o.metadata) ? o.metadata : {};
  const stored = wrongStrings({
    id: o.id,
    customer: isObject(o.customer) ? o.customer.id : o.customer,
    payment_intent: isObject(o.payment_intent) ? o.payment_intent.id : o.payment_intent,
    currency: o.currency,
    payment_status: o.payment_status,
    client_reference_id: o.client_reference_id,
    'metadata.ozvps_user_id': metadata.ozvps_user_id,
    'metadata.ozvps_topup_id': metadata.ozvps_topup_id,
    'metadata.kind': metadata.kind,
  });
  if (stored) return `data.object has unreadable text in ${stored}`;
  const str = (v: unknown) => typeof v === 'string';
  const optStr = (v: unknown) => v === undefined || v === null || typeof v === 'string';
  const optRef = (v: unknown) => optStr(v) || (isObject(v) && typeof v.id === 'string');
  const count = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  const optCount = (v: unknown) => v === undefined || v === null || count(v);
  const wrong = (fields: [string, boolean][]) => {
    const bad = fields.filter(([, ok]) => !ok).map(([name]) => name);
    return bad.length
      ? `data.object has the wrong shape for ${event.type as string}: ${bad.join(', ')}`
      : null;
  };
  if ((event.type as string).startsWith('checkout.session.')) {
    return wrong([
      ['id', str(o.id)],
      ['metadata', o.metadata === undefined || o.metadata === null || isObject(o.metadata)],
      ['payment_status', optStr(o.payment_status)],
      ['customer', optRef(o.customer)],
      ['client_reference_id', optStr(o.client_reference_id)],
      ['amount_total', optCount(o.amount_total)],
      ['currency', optStr(o.currency)],
      ['payment_intent', optRef(o.payment_intent)],
    ]);
  }
  if (event.type === 'charge.refunded') {
    return wrong([
      ['payment_intent', optRef(o.payment_intent)],
      ['amount_refunded', count(o.amount_refunded)],
      ['customer', optRef(o.customer)],
      ['currency', optStr(o.currency)],
    ]);
  }
  if ((event.type as string).startsWith('charge.dispute.')) {
    return wrong([
      ['id', str(o.id)],
      ['payment_intent', optRef(o.payment_intent)],
      ['amount', count(o.amount)],
      ['currency', optStr(o.currency)],
    ]);
  }
  return null;
}

/** Stripe's event ids: `evt_` and letters, digits or `_`, at most 255 characters in all. */
const EVENT_ID = /^evt_[A-Za-z0-9_]{1,251}$/;
const EVENT_TYPE = /^[a-z0-9_]+(\.[a-z0-9_]+){0,9}$/;
/** Ids of Stripe objects (cus_…, cs_…, pi_…, ch_…, dp_…) and the short texts of ours the handler reads. */
const OBJECT_ID = /^[A-Za-z0-9_]{1,255}$/;
const PLAIN_TEXT = /^[\x20-\x7e]{0,255}$/;
const ID_FIELDS = new Set(['id', 'customer', 'payment_intent']);

/** The names of the fields whose strings are not the shape they must have; null when all are. */
function wrongStrings(fields: Record<string, unknown>): string | null {
  const bad = Object.entries(fields)
    .filter(([name, v]) => typeof v === 'string' && !(ID_FIELDS.has(name) ? OBJECT_ID : PLAIN_TEXT).test(v))
    .map(([name]) => name);
  return bad.length ? bad.join(', ') : null;
}

/** A string from outside, safe for a log line or a text column: control characters escaped, cut short. */
export function printable(value: string, max: number): string {
  // Everything but printable ASCII (less the backslash) and U+00A0 up: control characters and `\`.
  const escaped = value.replace(/[^\u0020-\u005b\u005d-\u007e\u00a0-\uffff]/g, (c) =>
    c === '\\' ? '\\\\' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return escaped.length > max ? `${escaped.slice(0, max - 1)}…` : escaped;
}

/** For log lines: Stripe ids are short; anything longer is cut to what a reader can use. */
export function shown(value: unknown): string {
  return typeof value === 'string' ? printable(value, 80) : '(none)';
}
