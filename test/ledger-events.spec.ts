import { INestApplicationContext } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource } from 'typeorm';
import { InsufficientFundsError, LEDGER_CHANGED, LedgerChangedEvent, WalletService } from '@ozvps/wallet';
import { aUser, aUserWithBalance } from './helpers/builders';
import { createTestDatabase, openDataSource, TestDatabase } from './helpers/database';
import { bootLibs } from './helpers/panel';

describe('ledger rows are announced only once they are committed (real PostgreSQL)', () => {
  let db: TestDatabase;
  let app: INestApplicationContext;
  let wallet: WalletService;
  let ds: DataSource;
  /** Another connection: what it sees is what is committed. */
  let outside: DataSource;
  /** Each announcement, with how many ledger rows of its user another connection saw at that moment. */
  let heard: { event: LedgerChangedEvent; visibleRows: Promise<number> }[];

  const rowsOf = async (userId: number): Promise<number> =>
    (
      await outside.query(
        `SELECT count(*)::int AS n FROM wallet_transactions t JOIN wallets w ON w.id = t.wallet_id WHERE w.user_id = $1`,
        [userId],
      )
    )[0].n;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await bootLibs(db.url);
    wallet = app.get(WalletService);
    ds = app.get(DataSource);
    outside = await openDataSource(db.url);
    app.get(EventEmitter2).on(LEDGER_CHANGED, (event: LedgerChangedEvent) => {
      heard.push({ event, visibleRows: rowsOf(event.userId) });
    });
  });

  beforeEach(() => {
    heard = [];
  });

  afterAll(async () => {
    await outside.destroy();
    await app.close();
    await db.drop();
  });

  const change = (userId: number, amountCents: number) => ({
    userId,
    amountCents,
    actor: 'test',
    reason: 'ledger events',
  });

  it('announces a credit and a debit once each, signed, when the row is already visible to others', async () => {
    const user = await aUserWithBalance(app, 1000);
    heard = [];
    await wallet.credit({ ...change(user.id, 250), type: 'topup' });
    await wallet.debit({ ...change(user.id, 400), type: 'server_charge' });
    expect(heard.map((h) => ({ ...h.event }))).toEqual([
      { userId: user.id, type: 'topup', amountCents: 250 },
      { userId: user.id, type: 'server_charge', amountCents: -400 },
    ]);
    expect(await Promise.all(heard.map((h) => h.visibleRows))).toEqual([2, 3]);
  });

  it("inside a caller's transaction: nothing until it commits, then every row of it", async () => {
    const user = await aUser(app);
    await ds.transaction(async (em) => {
      await wallet.credit({ ...change(user.id, 100), type: 'admin_credit' }, em);
      await wallet.credit({ ...change(user.id, 200), type: 'bonus' }, em);
      expect(heard).toEqual([]);
    });
    expect(heard.map((h) => h.event.amountCents)).toEqual([100, 200]);
    expect(await Promise.all(heard.map((h) => h.visibleRows))).toEqual([2, 2]);
  });

  it('announces nothing for a transaction that rolls back, nor for a refused debit', async () => {
    const user = await aUserWithBalance(app, 300);
    heard = [];
    await expect(
      ds.transaction(async (em) => {
        await wallet.credit({ ...change(user.id, 100), type: 'admin_credit' }, em);
        throw new Error('the caller gives up');
      }),
    ).rejects.toThrow('the caller gives up');
    await expect(wallet.debit({ ...change(user.id, 301), type: 'server_charge' })).rejects.toBeInstanceOf(
      InsufficientFundsError,
    );
    expect(heard).toEqual([]);
    expect(await rowsOf(user.id)).toBe(1);
  });

  it('forgets the rows of a savepoint that rolls back and announces the rest at commit', async () => {
    const user = await aUser(app);
    const runner = ds.createQueryRunner();
    try {
      await runner.startTransaction();
      await wallet.credit({ ...change(user.id, 100), type: 'admin_credit' }, runner.manager);
      await runner.startTransaction();
      await wallet.credit({ ...change(user.id, 999), type: 'bonus' }, runner.manager);
      await runner.rollbackTransaction();
      await wallet.credit({ ...change(user.id, 50), type: 'bonus' }, runner.manager);
      expect(heard).toEqual([]);
      await runner.commitTransaction();
    } finally {
      await runner.release();
    }
    expect(heard.map((h) => h.event.amountCents)).toEqual([100, 50]);
    expect(await rowsOf(user.id)).toBe(2);
  });
});
