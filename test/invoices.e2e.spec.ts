import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { DataSource } from 'typeorm';
import { deliver, FakeStripe, testStripeKeys } from './fakes/stripe';
import { fakeServicesEnv } from './fakes/env';
import { aPackage, FakeVirtFusion } from './fakes/virtfusion';
import { aCustomerBrowser, anAdminBrowser } from './helpers/accounts';
import { createTestDatabase, openDataSource, TestDatabase } from './helpers/database';
import { documentsOf, pdfText } from './helpers/documents';
import { Browser } from './helpers/http';
import { ozvpsctl, RunningApi, startPanel } from './helpers/processes';

const PRICE = 1650; // GST 150
const SELLER = {
  BUSINESS_NAME: 'Example Cloud Pty Ltd',
  BUSINESS_ABN: '51824753556',
  GST_REGISTERED: 'true',
};

interface DocumentPage {
  documents: {
    number: string;
    type: string;
    totalCents: number;
    gstCents: number;
    refersTo: string | null;
    pdfPath: string;
  }[];
  nextBefore: number | null;
}

describe('documents through the built API: Stripe top-ups, refunds, disputes, deploys (fakes at the network boundary)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let stripe: FakeStripe;
  let vf: FakeVirtFusion;
  let api: RunningApi;
  let origin: string;
  let planId: number;
  const keys = testStripeKeys();
  let n = 0;
  const env = () => ({ ...fakeServicesEnv(keys, stripe, vf), ...SELLER });
  const send = (event: Stripe.Event) => deliver(api.baseUrl, event, keys.webhookSecret);

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDataSource(db.url);
    stripe = await new FakeStripe().start();
    vf = await new FakeVirtFusion().start();
    vf.packages = [aPackage(1, { name: 'Starter' })];
    ({ api, origin } = await startPanel(db.url, env()));
    for (let i = 0; i < 100 && !(await ds.query(`SELECT 1 FROM plans`)).length; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(
      (await ozvpsctl(db.url, ['plans', 'set-price', '--package', '1', String(PRICE)], env())).code,
    ).toBe(0);
    planId = Number((await ds.query(`SELECT id FROM plans WHERE virtfusion_package_id = 1`))[0].id);
  });

  afterAll(async () => {
    await api?.stop();
    await stripe?.stop();
    await vf?.stop();
    await ds?.destroy();
    await db?.drop();
  });

  async function aPaidTopup(
    amountCents: number,
  ): Promise<{ customer: Browser; userId: number; sessionId: string }> {
    const { browser: customer, id: userId } = await aCustomerBrowser(api, origin, `docs${++n}@example.test`);
    const r = await customer.request('POST', '/api/wallet/topups', { body: { amountCents } });
    expect(r.status).toBe(201);
    const { sessionId } = r.body as { sessionId: string };
    expect((await send(stripe.complete(sessionId))).body).toMatchObject({ outcome: 'credited' });
    return { customer, userId, sessionId };
  }

  const deploy = (customer: Browser) =>
    customer.request('POST', '/api/servers', {
      body: { planId, osTemplateId: 8, hostname: `docs${++n}.example.test`, idempotencyKey: `docs-key-${n}` },
    });

  const raw = (customer: Browser, path: string) =>
    fetch(`${api.baseUrl}${path}`, { headers: { cookie: `ozvps_session=${customer.token}` } });

  it('a Stripe refund of a partly spent top-up adjusts the receipt (no GST); the invoice for what it bought stands', async () => {
    const { customer, userId, sessionId } = await aPaidTopup(5000);
    expect((await deploy(customer)).status).toBe(201);
    expect((await send(stripe.refund(sessionId, 5000))).body).toMatchObject({ outcome: 'reversed' });

    const docs = await documentsOf(ds, userId);
    expect(docs).toEqual([
      expect.objectContaining({
        ledgerType: 'topup',
        kind: 'receipt',
        title: 'Receipt',
        totalCents: 5000,
        gstCents: 0,
        refersTo: null,
      }),
      expect.objectContaining({
        ledgerType: 'server_charge',
        kind: 'invoice',
        title: 'Tax invoice',
        totalCents: PRICE,
        gstCents: 150,
      }),
      expect.objectContaining({
        ledgerType: 'stripe_refund',
        kind: 'adjustment',
        totalCents: 5000,
        gstCents: 0,
        refersTo: docs[0]!.number,
      }),
    ]);
    expect(docs.filter((d) => d.refersTo === docs[1]!.number)).toEqual([]);
    // The top-up email links its receipt.
    const [mail] = await ds.query(
      `SELECT body_text FROM outbox_messages WHERE user_id = $1 AND kind = 'topup-received'`,
      [userId],
    );
    expect(mail.body_text).toContain(
      `Your receipt ${docs[0]!.number}: ${origin}/api/documents/${docs[0]!.number}`,
    );

    const page = (await customer.request('GET', '/api/documents')).body as DocumentPage;
    expect(page.documents.map((d) => [d.number, d.type, d.totalCents, d.gstCents, d.refersTo])).toEqual([
      [docs[2]!.number, 'adjustment', 5000, 0, docs[0]!.number],
      [docs[1]!.number, 'invoice', PRICE, 150, null],
      [docs[0]!.number, 'receipt', 5000, 0, null],
    ]);
    const pdf = await raw(customer, page.documents[1]!.pdfPath);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const text = await pdfText(Buffer.from(await pdf.arrayBuffer()));
    expect(text).toContain('Tax invoice');
    expect(text).toContain('Example Cloud Pty Ltd');
    const html = await raw(customer, `/api/documents/${docs[0]!.number}`);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    // Its inline style is allowed, and nothing else: no script, no outside resource.
    expect(html.headers.get('content-security-policy')).toBe(
      "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    const receipt = await html.text();
    expect(receipt).toContain('<h1>Receipt</h1>');
    expect(receipt).toContain('Not a tax invoice');
  });

  it('a lost dispute adjusts the receipt, reinstated funds get a receipt that follows it; a redelivery issues nothing', async () => {
    const { userId, sessionId } = await aPaidTopup(4000);
    const dispute = `dp_${sessionId.slice(-8)}`;
    const withdrawn = stripe.dispute(sessionId, 'withdrawn', 4000, dispute);
    expect((await send(withdrawn)).body).toMatchObject({ outcome: 'reversed' });
    expect((await send(withdrawn)).body).toMatchObject({ outcome: 'duplicate' });
    expect((await send(stripe.dispute(sessionId, 'reinstated', 4000, dispute))).body).toMatchObject({
      outcome: 'credited',
    });
    const docs = await documentsOf(ds, userId);
    expect(docs.map((d) => [d.ledgerType, d.kind, d.gstCents, d.refersTo])).toEqual([
      ['topup', 'receipt', 0, null],
      ['dispute_withdrawn', 'adjustment', 0, docs[0]!.number],
      ['dispute_reinstated', 'receipt', 0, docs[0]!.number],
    ]);
  });

  it("another customer's document is 404 (HTML and PDF); a signed-out request is 401; an admin sees the user's documents", async () => {
    const owner = await aPaidTopup(1000);
    const other = await aCustomerBrowser(api, origin, `docs${++n}@example.test`);
    const [doc] = await documentsOf(ds, owner.userId);
    expect((await raw(owner.customer, `/api/documents/${doc!.number}`)).status).toBe(200);
    expect((await raw(other.browser, `/api/documents/${doc!.number}`)).status).toBe(404);
    expect((await raw(other.browser, `/api/documents/${doc!.number}/pdf`)).status).toBe(404);
    expect(((await other.browser.request('GET', '/api/documents')).body as DocumentPage).documents).toEqual(
      [],
    );
    expect((await fetch(`${api.baseUrl}/api/documents/${doc!.number}`)).status).toBe(401);

    const admin = await anAdminBrowser(api, origin, db.url, `docs-admin${++n}@example.test`);
    const listed = await admin.request('GET', `/api/admin/users/${owner.userId}/documents`);
    expect((listed.body as DocumentPage).documents.map((d) => d.number)).toEqual([doc!.number]);
    expect((await owner.customer.request('GET', `/api/admin/users/${owner.userId}/documents`)).status).toBe(
      403,
    );
    // The admin user page links each document: an admin opens any customer's.
    expect((await admin.request('GET', `/api/documents/${doc!.number}`)).status).toBe(200);
  });

  it('the front page (GET /api/app) names the business as its documents do: BUSINESS_NAME, not PANEL_NAME', async () => {
    const res = await fetch(`${api.baseUrl}/api/app`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { businessName: string }).businessName).toBe(SELLER.BUSINESS_NAME);
  });

  it('billing details: a bad ABN is a 400 naming the reason and nothing is written; a good one is kept', async () => {
    const { browser: customer, id } = await aCustomerBrowser(api, origin, `docs${++n}@example.test`);
    const bad = await customer.request('PUT', '/api/account/billing-details', {
      body: { businessName: 'Buyer Pty Ltd', abn: '51 824 753 557' },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('ABN checksum');
    expect(await ds.query(`SELECT * FROM billing_details WHERE user_id = $1`, [id])).toEqual([]);
    const good = await customer.request('PUT', '/api/account/billing-details', {
      body: { businessName: 'Buyer Pty Ltd', abn: '53 004 085 616' },
    });
    expect(good.status).toBe(200);
    expect((await customer.request('GET', '/api/account/billing-details')).body).toEqual({
      businessName: 'Buyer Pty Ltd',
      abn: '53004085616',
    });
  });

  it('ozvpsctl invoices: list by user and type, show, pdf -o, an export with totals and GST, backfill', async () => {
    const { customer, userId, sessionId } = await aPaidTopup(6000);
    expect((await deploy(customer)).status).toBe(201);
    expect((await send(stripe.refund(sessionId, 1000))).body).toMatchObject({ outcome: 'reversed' });
    const cli = (...args: string[]) => ozvpsctl(db.url, args, env());
    const docs = await documentsOf(ds, userId);

    const listed = await cli('invoices', 'list', '--user', String(userId), '--type', 'invoice', '--json');
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({
        number: docs[1]!.number,
        type: 'invoice',
        totalCents: PRICE,
        gstCents: 150,
        userId,
      }),
    ]);
    expect((await cli('invoices', 'list', '--type', 'quote')).code).not.toBe(0);

    const shown = await cli('invoices', 'show', docs[1]!.number);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('Tax invoice');
    expect(shown.stdout).toContain('GST included');

    const file = join(mkdtempSync(join(tmpdir(), 'ozvps-doc-')), 'doc.pdf');
    expect((await cli('invoices', 'pdf', docs[1]!.number, '-o', file)).code).toBe(0);
    expect(await pdfText(readFileSync(file))).toContain(docs[1]!.number);
    const missing = await cli('invoices', 'show', 'INV-999999');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('No document INV-999999');

    const today = new Date().toISOString().slice(0, 10);
    const far = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
    const exported = await cli('invoices', 'export', '--from', far(-2), '--to', far(2), '--json');
    expect(exported.code).toBe(0);
    const { documents, totals } = JSON.parse(exported.stdout) as {
      documents: { type: string; totalCents: number; gstCents: number }[];
      totals: Record<string, number>;
    };
    const sum = (type: string, k: 'totalCents' | 'gstCents') =>
      documents.filter((d) => d.type === type).reduce((a, d) => a + d[k], 0);
    expect(totals).toMatchObject({
      documents: documents.length,
      salesCents: sum('invoice', 'totalCents'),
      salesGstCents: sum('invoice', 'gstCents'),
      prepaidReceivedCents: sum('receipt', 'totalCents'),
    });
    expect(totals.salesGstCents).toBe(150 * documents.filter((d) => d.type === 'invoice').length);
    const csv = await cli('invoices', 'export', '--from', far(-2), '--to', far(2), '--csv');
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe(
      'number,date,type,title,user_id,buyer,buyer_abn,total_cents,gst_cents,currency,refers_to',
    );
    expect(lines).toHaveLength(1 + documents.length + 5);
    expect(lines).toContain(`TOTAL,,net sales,,,,,${totals.netSalesCents},${totals.netGstCents},,`);
    expect((await cli('invoices', 'export', '--from', today, '--to', 'soon')).code).not.toBe(0);

    const backfill = await cli('invoices', 'backfill', '--json');
    expect(backfill.code).toBe(0);
    expect(JSON.parse(backfill.stdout)).toEqual({ issued: 0 });
  });
});
