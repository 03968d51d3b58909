import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { parse as parseForm } from 'qs';
import Stripe from 'stripe';

type Json = Record<string, unknown>;

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;
const now = () => Math.floor(Date.now() / 1000);

/** Keys and a webhook secret made for one test run (never real ones). */
export function testStripeKeys() {
  const r = () => randomBytes(12).toString('hex');
  return { secretKey: `sk_test_${r()}`, publishableKey: `pk_test_${r()}`, webhookSecret: `whsec_${r()}` };
}

/**
 * Stripe's API at the network boundary, for the real `stripe` SDK pointed at it with
 * STRIPE_API_BASE: customers, checkout sessions (created, retrieved, expired), billing-portal sessions and the events list, in
 * Stripe's wire format (../shared/reference/stripe-objects.json), with Idempotency-Key replay and
 * failures on demand.
 */
export class FakeStripe {
  readonly customers = new Map<string, Json>();
  readonly sessions = new Map<string, Json>();
  readonly events: Json[] = [];
  readonly requests: { method: string; path: string; body: Json; idempotencyKey?: string }[] = [];
  private readonly idempotent = new Map<string, { status: number; body: Json }>();
  private failures: { match: RegExp; status: number; remaining: number }[] = [];
  private server?: Server;
  private webhook?: { url: string; secret: string };
  private readonly portalReturnUrls = new Map<string, string>();

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', resolve);
    });
    return this;
  }

  /**
   * Where the checkout page's Pay button sends the signed checkout.session.completed event, as
   * Stripe's webhook endpoint setting does (the sandbox and the browser tests use it).
   */
  deliverWebhooksTo(url: string, secret: string): this {
    this.webhook = { url, secret };
    return this;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }

  /** The next `times` requests whose "METHOD /path" matches answer `status` with a Stripe error. */
  failNext(match: RegExp, status: number, times = 1): void {
    this.failures.push({ match, status, remaining: times });
  }

  /** Stripe marks the session complete (as when the customer pays) and returns the event it would send. */
  complete(sessionId: string, paymentStatus: 'paid' | 'unpaid' = 'paid'): Stripe.Event {
    const session = this.sessions.get(sessionId)!;
    Object.assign(session, {
      status: 'complete',
      payment_status: paymentStatus,
      payment_intent: session.payment_intent ?? id('pi'),
    });
    return this.event('checkout.session.completed', session);
  }

  /** A charge.refunded event for the session's payment; `amountRefunded` is cumulative, as Stripe reports it. */
  refund(sessionId: string, amountRefunded: number): Stripe.Event {
    const session = this.sessions.get(sessionId)!;
    const charge = {
      id: `ch_${String(session.payment_intent).slice(3)}`,
      object: 'charge',
      amount: session.amount_total,
      amount_refunded: amountRefunded,
      currency: session.currency,
      customer: session.customer,
      payment_intent: session.payment_intent,
      refunded: amountRefunded >= (session.amount_total as number),
      livemode: false,
    };
    return this.event('charge.refunded', charge);
  }

  /** A charge.dispute.funds_withdrawn / funds_reinstated event for the session's payment. */
  dispute(
    sessionId: string,
    way: 'withdrawn' | 'reinstated',
    amount: number,
    disputeId = 'dp_fake',
  ): Stripe.Event {
    const session = this.sessions.get(sessionId)!;
    const dispute = {
      id: disputeId,
      object: 'dispute',
      amount,
      currency: session.currency,
      charge: `ch_${String(session.payment_intent).slice(3)}`,
      payment_intent: session.payment_intent,
      status: way === 'withdrawn' ? 'lost' : 'won',
      livemode: false,
    };
    return this.event(`charge.dispute.funds_${way}`, dispute);
  }

  /** An event in Stripe's envelope around a copy of `object`; also listed by GET /v1/events. */
  event(type: string, object: Json, overrides: Partial<Json> = {}): Stripe.Event {
    const event = {
      id: id('evt'),
      object: 'event',
      api_version: '2025-08-27.basil',
      created: now(),
      data: { object: structuredClone(object) },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
      ...overrides,
    };
    this.events.unshift(event);
    return event as unknown as Stripe.Event;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    let raw = '';
    for await (const chunk of req) raw += chunk;
    if (/^\/(checkout|portal)\//.test(url.pathname)) return this.browserPage(req.method!, url.pathname, res);
    const body = (req.method === 'GET' ? parseForm(url.search.slice(1)) : parseForm(raw)) as Json;
    const idempotencyKey = req.headers['idempotency-key'] as string | undefined;
    this.requests.push({ method: req.method!, path: url.pathname, body, idempotencyKey });
    const send = (status: number, payload: Json) => {
      res
        .writeHead(status, { 'content-type': 'application/json', 'request-id': id('req') })
        .end(JSON.stringify(payload));
    };

    const route = `${req.method} ${url.pathname}`;
    const failure = this.failures.find((f) => f.remaining > 0 && f.match.test(route));
    if (failure) {
      failure.remaining--;
      return send(failure.status, {
        error: { type: 'api_error', message: `Fake Stripe failure ${failure.status}` },
      });
    }
    if (req.headers.authorization?.startsWith('Bearer sk_') !== true) {
      return send(401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided' } });
    }
    const replayKey = idempotencyKey && `${route} ${idempotencyKey}`;
    if (replayKey && this.idempotent.has(replayKey)) {
      const stored = this.idempotent.get(replayKey)!;
      return send(stored.status, stored.body);
    }
    const [status, payload] = this.route(req.method!, url.pathname, body);
    if (replayKey && status < 500) this.idempotent.set(replayKey, { status, body: payload });
    send(status, payload);
  }

  /**
   * The pages a customer's browser sees: a plain checkout page with Pay and Cancel, and a
   * stand-in for the customer portal. Pay completes the session, delivers the signed event to the
   * panel's webhook (retrying as Stripe does, briefly) and redirects to the success URL.
   */
  private async browserPage(method: string, path: string, res: ServerResponse): Promise<void> {
    const page = (status: number, title: string, body: string): void =>
      void res
        .writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
        .end(
          `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>` +
            `<style>body{font-family:system-ui,sans-serif;max-width:420px;margin:3rem auto;padding:0 1rem}button{font:inherit;padding:.6rem 1.2rem;margin-right:.5rem}</style></head>` +
            `<body><p><strong>Fake Stripe</strong> (sandbox: no real payment)</p>${body}</body></html>`,
        );
    const redirect = (location: string): void => void res.writeHead(303, { location }).end();
    const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

    const portal = path.match(/^\/portal\/([^/]+)$/);
    if (portal && method === 'GET') {
      const back = this.portalReturnUrls.get(portal[1]!);
      return page(
        200,
        'Billing portal',
        `<h1>Billing portal</h1><p>Payment methods and receipts for ${escape(portal[1]!)} would be here.</p>` +
          (back ? `<p><a href="${escape(back)}">Return to the panel</a></p>` : ''),
      );
    }
    const match = path.match(/^\/checkout\/([^/]+)(?:\/(pay|cancel))?$/);
    const session = match ? this.sessions.get(match[1]!) : undefined;
    if (!match || !session) return page(404, 'Not found', '<h1>No such checkout session</h1>');
    const action = match[2];
    if (!action && method === 'GET') {
      const amount = new Intl.NumberFormat('en', {
        style: 'currency',
        currency: String(session.currency).toUpperCase(),
      }).format((session.amount_total as number) / 100);
      if (session.status !== 'open') return page(410, 'Checkout closed', '<h1>This checkout is closed</h1>');
      return page(
        200,
        'Checkout',
        `<h1>Pay ${amount}</h1><p>Wallet top-up</p>` +
          `<form method="post" action="/checkout/${escape(session.id as string)}/pay" style="display:inline"><button type="submit">Pay ${amount}</button></form>` +
          `<form method="post" action="/checkout/${escape(session.id as string)}/cancel" style="display:inline"><button type="submit">Cancel</button></form>`,
      );
    }
    if (action === 'cancel' && method === 'POST') return redirect(String(session.cancel_url));
    if (action === 'pay' && method === 'POST') {
      if (session.status !== 'open') return page(410, 'Checkout closed', '<h1>This checkout is closed</h1>');
      const event = this.complete(session.id as string);
      if (this.webhook) {
        const base = this.webhook.url.replace(/\/api\/stripe\/webhook$/, '');
        for (let attempt = 0; attempt < 5; attempt++) {
          const delivered = await deliver(base, event, this.webhook.secret).catch(() => ({ status: 0 }));
          if (delivered.status >= 200 && delivered.status < 300) break;
          await new Promise((r) => setTimeout(r, 500 * (attempt + 1)));
        }
      }
      return redirect(String(session.success_url).replace('{CHECKOUT_SESSION_ID}', session.id as string));
    }
    return page(405, 'Not allowed', '<h1>Not allowed</h1>');
  }

  private route(method: string, path: string, body: Json): [number, Json] {
    const notFound: [number, Json] = [
      404,
      { error: { type: 'invalid_request_error', message: `No such resource: ${path}` } },
    ];
    if (method === 'POST' && path === '/v1/customers') {
      const customer = {
        id: id('cus'),
        object: 'customer',
        created: now(),
        email: body.email ?? null,
        name: body.name ?? null,
        metadata: body.metadata ?? {},
        livemode: false,
      };
      this.customers.set(customer.id, customer);
      return [200, customer];
    }
    const customerMatch = path.match(/^\/v1\/customers\/([^/]+)$/);
    if (method === 'GET' && customerMatch) {
      const c = this.customers.get(customerMatch[1]!);
      return c ? [200, c] : notFound;
    }
    if (method === 'POST' && path === '/v1/checkout/sessions') {
      const items = (body.line_items as Json[] | undefined) ?? [];
      const item = items[0] as
        { price_data?: { currency?: string; unit_amount?: string }; quantity?: string } | undefined;
      if (!item?.price_data?.unit_amount || !item.price_data.currency) {
        return [
          400,
          { error: { type: 'invalid_request_error', message: 'line_items[0][price_data] is required' } },
        ];
      }
      const sessionId = id('cs_test');
      const session = {
        id: sessionId,
        object: 'checkout.session',
        mode: body.mode ?? 'payment',
        amount_subtotal: Number(item.price_data.unit_amount) * Number(item.quantity ?? 1),
        amount_total: Number(item.price_data.unit_amount) * Number(item.quantity ?? 1),
        currency: item.price_data.currency,
        customer: body.customer ?? null,
        client_reference_id: body.client_reference_id ?? null,
        metadata: body.metadata ?? {},
        payment_intent: null,
        payment_status: 'unpaid',
        status: 'open',
        success_url: body.success_url ?? null,
        cancel_url: body.cancel_url ?? null,
        url: `${this.url}/checkout/${sessionId}`,
        created: now(),
        expires_at: now() + 24 * 3600,
        livemode: false,
      };
      this.sessions.set(sessionId, session);
      return [200, session];
    }
    const sessionMatch = path.match(/^\/v1\/checkout\/sessions\/([^/]+)$/);
    if (method === 'GET' && sessionMatch) {
      const s = this.sessions.get(sessionMatch[1]!);
      return s ? [200, s] : notFound;
    }
    const expireMatch = path.match(/^\/v1\/checkout\/sessions\/([^/]+)\/expire$/);
    if (method === 'POST' && expireMatch) {
      const s = this.sessions.get(expireMatch[1]!);
      if (!s) return notFound;
      if (s.status !== 'open') {
        // Stripe's answer for a session already paid or already expired.
        return [
          400,
          {
            error: {
              type: 'invalid_request_error',
              message: `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${String(s.status)}".`,
            },
          },
        ];
      }
      Object.assign(s, { status: 'expired', url: null });
      return [200, s];
    }
    if (method === 'POST' && path === '/v1/billing_portal/sessions') {
      if (!body.customer || !this.customers.has(body.customer as string)) return notFound;
      if (body.return_url) this.portalReturnUrls.set(body.customer as string, body.return_url as string);
      return [
        200,
        {
          id: id('bps'),
          object: 'billing_portal.session',
          customer: body.customer,
          return_url: body.return_url ?? null,
          url: `${this.url}/portal/${body.customer}`,
          livemode: false,
          created: now(),
        },
      ];
    }
    if (method === 'GET' && path === '/v1/events') {
      const since = Number((body.created as Json | undefined)?.gte ?? 0);
      const types = (body.types as string[] | undefined) ?? (body.type ? [body.type as string] : undefined);
      const data = this.events.filter(
        (e) => (e.created as number) >= since && (!types || types.includes(e.type as string)),
      );
      return [200, { object: 'list', url: '/v1/events', has_more: false, data }];
    }
    return notFound;
  }
}

/** Delivers an event to the panel's webhook as Stripe does: the raw JSON, signed with the real SDK. */
/** The body and headers of one webhook delivery, signed the way Stripe signs it. */
export function signedDelivery(
  event: Stripe.Event | string,
  secret: string,
  options: { timestamp?: number; signature?: string } = {},
): { payload: string; headers: Record<string, string> } {
  const payload = typeof event === 'string' ? event : JSON.stringify(event);
  const signature =
    options.signature ??
    Stripe.webhooks.generateTestHeaderString({
      payload,
      secret,
      timestamp: options.timestamp ?? Math.floor(Date.now() / 1000),
    });
  return {
    payload,
    headers: {
      'content-type': 'application/json',
      'stripe-signature': signature,
      'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
    },
  };
}

export async function deliver(
  apiBaseUrl: string,
  event: Stripe.Event | string,
  secret: string,
  options: { timestamp?: number; signature?: string } = {},
): Promise<{ status: number; body: unknown }> {
  const { payload, headers } = signedDelivery(event, secret, options);
  const res = await fetch(`${apiBaseUrl}/api/stripe/webhook`, { method: 'POST', headers, body: payload });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // plain text answers stay as they are
  }
  return { status: res.status, body };
}
