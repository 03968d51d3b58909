import { INestApplicationContext } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { ValidationError } from '@ozvps/core';
import { InvoicesService, renderDocumentHtml, renderDocumentPdf } from '@ozvps/invoices';
import { PlanSyncService, PlansService } from '@ozvps/plans';
import { DeployService, RenewalsService } from '@ozvps/servers';
import { InsufficientFundsError, WalletService } from '@ozvps/wallet';
import { aPackage, FakeVirtFusion } from './fakes/virtfusion';
import { aUserWithBalance } from './helpers/builders';
import { asPanelRole, createTestDatabase, TestDatabase } from './helpers/database';
import { documentsOf, numbersOf, pdfText } from './helpers/documents';
import { bootLibs, TestClock } from './helpers/panel';

// 1250 / 11 = 113.63…: GST rounds to the nearest cent (114), not down.
const PRICE = 1250;
const GST = 114;
const SELLER = {
  BUSINESS_NAME: 'Example Cloud Pty Ltd',
  BUSINESS_ABN: '51 824 753 556',
  BUSINESS_ADDRESS: '1 George St, Sydney NSW 2000',
  BUSINESS_EMAIL: 'accounts@example.com',
  GST_REGISTERED: 'true',
};

describe('tax invoices, adjustment notes and receipts (real PostgreSQL, VirtFusion faked at the network boundary)', () => {
  let db: TestDatabase;
  let vf: FakeVirtFusion;
  let app: INestApplicationContext;
  let clock: TestClock;
  let ds: DataSource;
  let deploys: DeployService;
  let invoices: InvoicesService;
  let wallet: WalletService;
  let planId: number;
  let n = 0;

  const vfEnv = () => ({
    VIRTFUSION_URL: vf.url,
    VIRTFUSION_API_TOKEN: vf.token,
    VIRTFUSION_TIMEOUT_MS: '500',
    VIRTFUSION_HYPERVISOR_GROUP_ID: '3',
  });
  const deployInput = (hostname = `web${++n}.example.test`) => ({
    planId,
    osTemplateId: 44,
    hostname,
    idempotencyKey: `invoice-deploy-${++n}`,
  });

  beforeAll(async () => {
    vf = await new FakeVirtFusion().start();
    vf.packages = [aPackage(1, { name: 'Starter' })];
    db = await createTestDatabase();
    clock = new TestClock();
    app = await bootLibs(db.url, { env: { ...vfEnv(), ...SELLER }, servers: true, clock });
    ds = app.get(DataSource);
    deploys = app.get(DeployService);
    invoices = app.get(InvoicesService);
    wallet = app.get(WalletService);
    await app.get(PlanSyncService).sync('cli');
    const plans = app.get(PlansService);
    planId = (await plans.setPrice(await plans.get({ packageId: 1 }), PRICE)).id;
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
    await vf?.stop();
  });

  beforeEach(() => clock.set(new Date('2026-01-31T09:00:00Z')));

  it('a deploy and each renewal get a tax invoice: seller and ABN, server, plan, period, GST = total/11 to the cent', async () => {
    const user = await aUserWithBalance(app, 5 * PRICE);
    const { server } = await deploys.deploy(user, deployInput('shop.example.test'));
    clock.set(new Date('2026-02-28T10:00:00Z'));
    await app.get(RenewalsService).run();

    const docs = await documentsOf(ds, user.id);
    expect(docs).toEqual([
      expect.objectContaining({
        kind: 'invoice',
        ledgerType: 'server_charge',
        totalCents: PRICE,
        gstCents: GST,
        title: 'Tax invoice',
        refersTo: null,
      }),
      expect.objectContaining({
        kind: 'invoice',
        ledgerType: 'server_charge',
        totalCents: PRICE,
        gstCents: GST,
        title: 'Tax invoice',
        refersTo: null,
      }),
    ]);
    const renewal = await invoices.get(docs[1]!.number, user.id);
    expect(renewal.snapshot.items).toEqual([
      {
        description: 'Renewal of server shop.example.test',
        hostname: 'shop.example.test',
        plan: 'Starter',
        periodFrom: '2026-02-28',
        periodTo: '2026-03-31',
        amountCents: PRICE,
      },
    ]);
    const text = await pdfText(await renderDocumentPdf(renewal));
    for (const shown of [
      'Example Cloud Pty Ltd',
      'Tax invoice',
      'ABN 51 824 753 556',
      docs[1]!.number,
      'shop.example.test',
      'plan Starter',
      'period 2026-02-28 to 2026-03-31',
      'A$12.50',
      'GST included',
      'A$1.14',
      user.email,
    ])
      expect(text).toContain(shown);
    expect(server.id).toBeGreaterThan(0);
    // The renewal's receipt email links its invoice.
    const [mail] = await ds.query(
      `SELECT body_text FROM outbox_messages WHERE user_id = $1 AND kind = 'renewal-charged'`,
      [user.id],
    );
    expect(mail.body_text).toContain(
      `Your invoice ${docs[1]!.number}: http://localhost:3000/api/documents/${docs[1]!.number}`,
    );
  });

  it('a deploy whose build fails: the refund gets an adjustment note referring to the invoice, with its GST', async () => {
    const user = await aUserWithBalance(app, 5 * PRICE);
    vf.failCall('POST /servers/build', '500');
    const { server } = await deploys.deploy(user, deployInput());
    expect(server.status).toBe('failed');
    const docs = await documentsOf(ds, user.id);
    expect(docs).toEqual([
      expect.objectContaining({
        kind: 'invoice',
        ledgerType: 'server_charge',
        totalCents: PRICE,
        gstCents: GST,
      }),
      expect.objectContaining({
        kind: 'adjustment',
        ledgerType: 'server_refund',
        title: 'Adjustment note',
        refersTo: docs[0]!.number,
        totalCents: PRICE,
        gstCents: GST,
      }),
    ]);
    expect(docs[1]!.number).toMatch(/^ADJ-\d{6}$/);
    const html = renderDocumentHtml(await invoices.get(docs[1]!.number));
    expect(html).toContain(`Adjusts</dt><dd>${docs[0]!.number}`);
  });

  it('60 charges at once, 10 of them short of funds: 50 invoices numbered on without a gap or a duplicate', async () => {
    const before = await numbersOf(ds, 'invoice');
    const users = await Promise.all([1, 2, 3, 4, 5].map(() => aUserWithBalance(app, 10 * PRICE)));
    const results = await Promise.allSettled(
      users.flatMap((u) =>
        Array.from({ length: 12 }, (_, i) =>
          wallet.debit({
            userId: u.id,
            amountCents: PRICE,
            type: 'server_charge',
            actor: 'test',
            reason: `charge ${i}`,
            idempotencyKey: `concurrent-charge:${u.id}:${i}`,
          }),
        ),
      ),
    );
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused).toHaveLength(10);
    for (const r of refused)
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(InsufficientFundsError);
    const after = await numbersOf(ds, 'invoice');
    const last = before.length ? Math.max(...before) : 0;
    expect(after.slice(before.length).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, i) => last + 1 + i),
    );
    // Every invoice ever issued here: 1..N, each once.
    expect([...after].sort((a, b) => a - b)).toEqual(Array.from({ length: after.length }, (_, i) => i + 1));
  });

  it('documents cannot be changed or removed: the panel role is refused by privilege, the owner by the trigger', async () => {
    const user = await aUserWithBalance(app, PRICE);
    await wallet.debit({
      userId: user.id,
      amountCents: PRICE,
      type: 'server_charge',
      actor: 'test',
      reason: 'one',
    });
    const [doc] = await documentsOf(ds, user.id);
    const attempt = async (url: string, sql: string) => {
      const c = new Client({ connectionString: url });
      await c.connect();
      try {
        await c.query(sql, [doc!.number]);
        return 'allowed';
      } catch (err) {
        return (err as Error).message;
      } finally {
        await c.end();
      }
    };
    const panel = asPanelRole(db.url);
    expect(await attempt(panel, `UPDATE documents SET total_cents = 1 WHERE number = $1`)).toMatch(
      /permission denied/,
    );
    expect(await attempt(panel, `DELETE FROM documents WHERE number = $1`)).toMatch(/permission denied/);
    expect(await attempt(db.url, `UPDATE documents SET total_cents = 1 WHERE number = $1`)).toMatch(
      /append-only/,
    );
    expect(await attempt(db.url, `DELETE FROM documents WHERE number = $1`)).toMatch(/append-only/);
    expect(await documentsOf(ds, user.id)).toEqual([doc]);
  });

  it('the buyer name and ABN go on later documents; a bad ABN is refused with the reason and nothing is saved', async () => {
    const user = await aUserWithBalance(app, 3 * PRICE);
    await wallet.debit({
      userId: user.id,
      amountCents: PRICE,
      type: 'server_charge',
      actor: 'test',
      reason: 'before',
    });
    await expect(
      invoices.setBillingDetails(user.id, { businessName: 'Buyer Pty Ltd', abn: '51 824 753 557' }),
    ).rejects.toThrow(
      new ValidationError('abn fails the ABN checksum (a digit is wrong or two are swapped)'),
    );
    await expect(invoices.setBillingDetails(user.id, { abn: '1234' })).rejects.toThrow(
      'abn must have 11 digits (got 4)',
    );
    await expect(invoices.setBillingDetails(user.id, { abn: '5182475355x' })).rejects.toThrow(
      'abn must contain only digits',
    );
    expect(await invoices.billingDetails(user.id)).toEqual({ businessName: null, abn: null });

    expect(
      await invoices.setBillingDetails(user.id, { businessName: ' Buyer Pty Ltd ', abn: '53 004 085 616' }),
    ).toEqual({
      businessName: 'Buyer Pty Ltd',
      abn: '53004085616',
    });
    await wallet.debit({
      userId: user.id,
      amountCents: PRICE,
      type: 'server_charge',
      actor: 'test',
      reason: 'after',
    });
    const [first, second] = await documentsOf(ds, user.id);
    const earlier = await invoices.get(first!.number);
    const later = await invoices.get(second!.number);
    expect(earlier.snapshot.buyer).toEqual({ name: 'Test User', abn: null, email: user.email });
    expect(later.snapshot.buyer).toEqual({ name: 'Buyer Pty Ltd', abn: '53004085616', email: user.email });
    expect(await pdfText(await renderDocumentPdf(later))).toContain('ABN 53 004 085 616');
  });

  it("another customer's document is not found, nor is a number that is not one", async () => {
    const owner = await aUserWithBalance(app, PRICE);
    const other = await aUserWithBalance(app, PRICE);
    await wallet.debit({
      userId: owner.id,
      amountCents: PRICE,
      type: 'server_charge',
      actor: 'test',
      reason: 'mine',
    });
    const [doc] = await documentsOf(ds, owner.id);
    await expect(invoices.get(doc!.number, owner.id)).resolves.toMatchObject({ number: doc!.number });
    await expect(invoices.get(doc!.number, other.id)).rejects.toMatchObject({ code: 'document_not_found' });
    await expect(invoices.get("INV-1' OR 1=1", owner.id)).rejects.toMatchObject({
      code: 'document_not_found',
    });
  });

  describe('with the seller profile changed (another process on the same database)', () => {
    let changed: INestApplicationContext;

    beforeAll(async () => {
      changed = await bootLibs(db.url, {
        env: { ...vfEnv(), BUSINESS_NAME: 'Renamed Hosting', GST_REGISTERED: 'false' },
        servers: true,
        clock,
      });
    });
    afterAll(() => changed?.close());

    it('an earlier PDF reads exactly as before; a new sale says "Invoice", never "Tax invoice", and shows no GST', async () => {
      const user = await aUserWithBalance(app, 2 * PRICE);
      await wallet.debit({
        userId: user.id,
        amountCents: PRICE,
        type: 'server_charge',
        actor: 'test',
        reason: 'old',
      });
      const [old] = await documentsOf(ds, user.id);
      const before = await pdfText(await renderDocumentPdf(await invoices.get(old!.number)));
      const beforeHtml = renderDocumentHtml(await invoices.get(old!.number));

      const renamed = changed.get(InvoicesService);
      // Byte for byte: the same document gives the same file, whichever process renders it.
      const again = await renderDocumentPdf(await renamed.get(old!.number));
      expect(again.equals(await renderDocumentPdf(await invoices.get(old!.number)))).toBe(true);
      expect(await pdfText(await renderDocumentPdf(await renamed.get(old!.number)))).toBe(before);
      expect(renderDocumentHtml(await renamed.get(old!.number))).toBe(beforeHtml);

      await changed.get(WalletService).debit({
        userId: user.id,
        amountCents: PRICE,
        type: 'server_charge',
        actor: 'test',
        reason: 'new',
      });
      const [, fresh] = await documentsOf(ds, user.id);
      expect(fresh).toMatchObject({ kind: 'invoice', title: 'Invoice', gstCents: 0, totalCents: PRICE });
      const text = await pdfText(await renderDocumentPdf(await renamed.get(fresh!.number)));
      expect(text).toContain('Renamed Hosting');
      expect(text).toContain('Invoice');
      expect(text).not.toMatch(/tax invoice/i);
      expect(text).not.toMatch(/GST included/);
      expect(text).toContain('not registered for GST');
    });
  });

  it('backfill: ledger rows from before documents get theirs once, even from two backfills at once beside live charges', async () => {
    const user = await aUserWithBalance(app, 10 * PRICE);
    const [{ id: walletId }] = await ds.query(`SELECT id FROM wallets WHERE user_id = $1`, [user.id]);
    // Rows as an older panel wrote them: straight into the ledger, with no document.
    await ds.query(
      `INSERT INTO wallet_transactions (wallet_id, type, amount_cents, balance_after_cents, actor, reason, idempotency_key, stripe_payment_intent_id)
       VALUES ($1, 'topup', 2000, 0, 'stripe', 'Stripe top-up', NULL, 'pi_old_1'),
              ($1, 'server_charge', -${PRICE}, 0, 'system', 'Starter: first month (server #9001, old.example.test)', 'server-charge:9001:1', NULL),
              ($1, 'server_refund', ${PRICE}, 0, 'system', 'Refund: server #9001', 'server-refund:9001:1', NULL),
              ($1, 'stripe_refund', -500, 0, 'stripe', 'Stripe refund', NULL, 'pi_old_1'),
              ($1, 'admin_credit', 100, 0, 'admin', 'goodwill', NULL, NULL)`,
      [walletId],
    );
    // Two backfills and live charges of another customer, all at once.
    const buyer = await aUserWithBalance(app, 10 * PRICE);
    const live = Array.from({ length: 10 }, (_, i) =>
      wallet.debit({
        userId: buyer.id,
        amountCents: PRICE,
        type: 'server_charge',
        actor: 'test',
        reason: `live ${i}`,
      }),
    );
    const [issued] = await Promise.all([Promise.all([invoices.backfill(), invoices.backfill()]), ...live]);
    expect(issued.reduce((a, b) => a + b, 0)).toBe(4);
    expect(await invoices.backfill()).toBe(0);
    expect(await documentsOf(ds, buyer.id)).toHaveLength(10);
    const docs = (await documentsOf(ds, user.id)).map((d) => [
      d.ledgerType,
      d.kind,
      d.refersTo?.slice(0, 3) ?? null,
    ]);
    expect(docs).toEqual([
      ['topup', 'receipt', null],
      ['server_charge', 'invoice', null],
      ['server_refund', 'adjustment', 'INV'],
      ['stripe_refund', 'adjustment', 'RCT'],
    ]);
    for (const kind of ['invoice', 'adjustment', 'receipt']) {
      const numbers = (await numbersOf(ds, kind)).sort((a, b) => a - b);
      expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => i + 1));
    }
  });
});
