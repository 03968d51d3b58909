import { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ValidationError } from '@ozvps/core';
import { UserNotFoundError } from '@ozvps/users';
import {
  CurrencyMismatchError,
  DuplicateStripeEventError,
  InsufficientFundsError,
  WalletService,
} from '@ozvps/wallet';
import { aUser, aUserWithBalance } from './helpers/builders';
import { createTestDatabase, TestDatabase } from './helpers/database';
import { bootLibs } from './helpers/panel';

describe('WalletService and the ledger (real PostgreSQL)', () => {
  let db: TestDatabase;
  let app: INestApplicationContext;
  let wallet: WalletService;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await bootLibs(db.url);
    wallet = app.get(WalletService);
    ds = app.get(DataSource);
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  async function ledger(userId: number) {
    const rows: { type: string; amount_cents: string; balance_after_cents: string }[] = await ds.query(
      `SELECT t.type, t.amount_cents, t.balance_after_cents FROM wallet_transactions t
         JOIN wallets w ON w.id = t.wallet_id WHERE w.user_id = $1 ORDER BY t.id`,
      [userId],
    );
    return rows.map((r) => ({
      type: r.type,
      amount: Number(r.amount_cents),
      after: Number(r.balance_after_cents),
    }));
  }

  async function storedBalance(userId: number): Promise<number | null> {
    const rows: { balance_cents: string }[] = await ds.query(
      `SELECT balance_cents FROM wallets WHERE user_id = $1`,
      [userId],
    );
    return rows[0] ? Number(rows[0].balance_cents) : null;
  }

  it('writes one ledger row per credit and debit, with the balance after each', async () => {
    const user = await aUser(app);
    await wallet.credit({
      userId: user.id,
      amountCents: 1000,
      type: 'admin_credit',
      actor: 'test',
      reason: 'a',
    });
    await wallet.debit({
      userId: user.id,
      amountCents: 300,
      type: 'admin_debit',
      actor: 'test',
      reason: 'b',
    });

    expect(await ledger(user.id)).toEqual([
      { type: 'admin_credit', amount: 1000, after: 1000 },
      { type: 'admin_debit', amount: -300, after: 700 },
    ]);
    expect(await storedBalance(user.id)).toBe(700);
    expect(await wallet.balance(user.id)).toEqual({ userId: user.id, balanceCents: 700, currency: 'aud' });
  });

  it('refuses to change a wallet held in another currency, writing nothing', async () => {
    const user = await aUserWithBalance(app, 500);
    // A wallet left in another currency (WALLET_CURRENCY changed under existing data).
    await ds.query(`UPDATE wallets SET currency = 'usd' WHERE user_id = $1`, [user.id]);
    for (const change of [
      () =>
        wallet.credit({
          userId: user.id,
          amountCents: 100,
          type: 'admin_credit',
          actor: 'test',
          reason: 'x',
        }),
      () =>
        wallet.debit({ userId: user.id, amountCents: 100, type: 'admin_debit', actor: 'test', reason: 'x' }),
    ]) {
      await expect(change()).rejects.toBeInstanceOf(CurrencyMismatchError);
    }
    expect(await storedBalance(user.id)).toBe(500);
    expect(await ledger(user.id)).toEqual([{ type: 'admin_credit', amount: 500, after: 500 }]);
  });

  it('refuses a debit beyond the balance with InsufficientFundsError and writes nothing', async () => {
    const user = await aUserWithBalance(app, 500);
    await expect(
      wallet.debit({
        userId: user.id,
        amountCents: 501,
        type: 'admin_debit',
        actor: 'test',
        reason: 'too much',
      }),
    ).rejects.toBeInstanceOf(InsufficientFundsError);
    expect(await ledger(user.id)).toHaveLength(1);
    expect(await storedBalance(user.id)).toBe(500);
  });

  it('refuses a debit from a user who never had a wallet, and creates no wallet row', async () => {
    const user = await aUser(app);
    await expect(
      wallet.debit({ userId: user.id, amountCents: 1, type: 'server_charge', actor: 'test', reason: 'x' }),
    ).rejects.toBeInstanceOf(InsufficientFundsError);
    expect(await storedBalance(user.id)).toBeNull();
  });

  it('lets only Stripe clawbacks take a balance below zero', async () => {
    const user = await aUserWithBalance(app, 100);
    await wallet.debit({
      userId: user.id,
      amountCents: 250,
      type: 'stripe_refund',
      actor: 'stripe',
      reason: 'refund',
    });
    expect(await storedBalance(user.id)).toBe(-150);
    await expect(
      wallet.debit({ userId: user.id, amountCents: 1, type: 'admin_debit', actor: 'test', reason: 'x' }),
    ).rejects.toBeInstanceOf(InsufficientFundsError);
  });

  it.each([
    ['zero', 0],
    ['negative', -1],
    ['fractional', 12.5],
    ['NaN', Number.NaN],
    ['unsafe', Number.MAX_SAFE_INTEGER + 2],
    ['a string', '100' as unknown as number],
  ])('refuses a %s amount and writes nothing', async (_, amount) => {
    const user = await aUserWithBalance(app, 1000);
    await expect(
      wallet.credit({
        userId: user.id,
        amountCents: amount,
        type: 'admin_credit',
        actor: 'test',
        reason: 'x',
      }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      wallet.debit({ userId: user.id, amountCents: amount, type: 'admin_debit', actor: 'test', reason: 'x' }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(await ledger(user.id)).toHaveLength(1);
    expect(await storedBalance(user.id)).toBe(1000);
  });

  it('refuses a change without a reason or actor, of the wrong direction, or for an unknown user', async () => {
    const user = await aUserWithBalance(app, 1000);
    const base = { userId: user.id, amountCents: 10, actor: 'test', reason: 'r' };
    await expect(wallet.credit({ ...base, type: 'admin_credit', reason: '  ' })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(wallet.credit({ ...base, type: 'admin_credit', actor: '' })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(wallet.credit({ ...base, type: 'admin_debit' as 'admin_credit' })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(wallet.credit({ ...base, type: 'admin_credit', userId: 987654321 })).rejects.toBeInstanceOf(
      UserNotFoundError,
    );
    expect(await ledger(user.id)).toHaveLength(1);
    expect(await ds.query(`SELECT 1 FROM wallets WHERE user_id = 987654321`)).toEqual([]);
  });

  it('applies a Stripe event once: the same event id again changes nothing', async () => {
    const user = await aUser(app);
    const credit = {
      userId: user.id,
      amountCents: 2500,
      type: 'topup' as const,
      actor: 'stripe',
      reason: 'top-up',
      stripeEventId: 'evt_test_once',
      stripeCheckoutSessionId: 'cs_test_once',
    };
    await wallet.credit(credit);
    await expect(wallet.credit(credit)).rejects.toBeInstanceOf(DuplicateStripeEventError);
    const concurrent = await Promise.allSettled(Array.from({ length: 10 }, () => wallet.credit(credit)));
    expect(
      concurrent.every((r) => r.status === 'rejected' && r.reason instanceof DuplicateStripeEventError),
    ).toBe(true);
    expect(await ledger(user.id)).toEqual([{ type: 'topup', amount: 2500, after: 2500 }]);
    expect(await storedBalance(user.id)).toBe(2500);
  });

  it('keeps balance = sum of rows under 200 concurrent credits and debits, never below zero', async () => {
    const user = await aUserWithBalance(app, 1000);
    const ops = Array.from({ length: 200 }, (_, i) =>
      i % 2 === 0
        ? wallet.credit({
            userId: user.id,
            amountCents: 100 + (i % 7),
            type: 'admin_credit',
            actor: 'test',
            reason: `c${i}`,
          })
        : wallet.debit({
            userId: user.id,
            amountCents: 400 + (i % 5),
            type: 'admin_debit',
            actor: 'test',
            reason: `d${i}`,
          }),
    );
    const results = await Promise.allSettled(ops);
    const failures = results.filter((r) => r.status === 'rejected');
    expect(failures.length).toBeGreaterThan(0); // debits outpace credits: some must be refused
    for (const f of failures)
      expect((f as PromiseRejectedResult).reason).toBeInstanceOf(InsufficientFundsError);

    const rows = await ledger(user.id);
    expect(rows).toHaveLength(1 + results.length - failures.length); // refused attempts left no row
    const sum = rows.reduce((s, r) => s + r.amount, 0);
    expect(await storedBalance(user.id)).toBe(sum);
    let running = 0;
    for (const r of rows) {
      running += r.amount;
      expect(r.after).toBe(running); // rows chain in commit order
      expect(r.after).toBeGreaterThanOrEqual(0);
    }
    expect((await wallet.verify()).ok).toBe(true);
  });

  async function storedTotals(userId: number) {
    const [row]: { topped_up: string; spent: string }[] = await ds.query(
      `SELECT topped_up_cents AS topped_up, spent_cents AS spent FROM wallets WHERE user_id = $1`,
      [userId],
    );
    return { toppedUpCents: Number(row!.topped_up), spentCents: Number(row!.spent) };
  }

  it('keeps the topped-up and spent totals equal to the ledger under 120 concurrent changes of every kind', async () => {
    const user = await aUserWithBalance(app, 5000); // an admin credit: in neither total
    const kinds = [
      () => wallet.credit({ userId: user.id, amountCents: 300, type: 'topup', actor: 'test', reason: 't' }),
      () =>
        wallet.debit({
          userId: user.id,
          amountCents: 700,
          type: 'server_charge',
          actor: 'test',
          reason: 's',
        }),
      () =>
        wallet.credit({
          userId: user.id,
          amountCents: 100,
          type: 'server_refund',
          actor: 'test',
          reason: 'r',
        }),
      () =>
        wallet.debit({ userId: user.id, amountCents: 50, type: 'admin_debit', actor: 'test', reason: 'a' }),
      () =>
        wallet.debit({ userId: user.id, amountCents: 20, type: 'stripe_refund', actor: 'test', reason: 'x' }),
      // Refused for want of funds now and then: a refused change must move no total either.
      () =>
        wallet.debit({
          userId: user.id,
          amountCents: 4000,
          type: 'server_charge',
          actor: 'test',
          reason: 'big',
        }),
    ];
    const results = await Promise.allSettled(
      Array.from({ length: 120 }, (_, i) => kinds[i % kinds.length]!()),
    );
    for (const r of results.filter((x) => x.status === 'rejected'))
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(InsufficientFundsError);

    const rows = await ledger(user.id);
    const sumOf = (types: string[]) =>
      rows.filter((r) => types.includes(r.type)).reduce((sum, r) => sum + r.amount, 0);
    expect(sumOf(['topup'])).toBe(20 * 300);
    expect(await storedTotals(user.id)).toEqual({
      toppedUpCents: sumOf(['topup']),
      spentCents: -sumOf(['server_charge', 'server_refund']),
    });
    expect(await wallet.totals(user.id)).toEqual(await storedTotals(user.id));
    expect(await storedBalance(user.id)).toBe(rows.reduce((sum, r) => sum + r.amount, 0));
    expect((await wallet.verify()).ok).toBe(true);
  });

  it('has the database refuse UPDATE, DELETE and TRUNCATE on wallet_transactions', async () => {
    const user = await aUserWithBalance(app, 700);
    const [row] = await ds.query(
      `SELECT t.id FROM wallet_transactions t JOIN wallets w ON w.id = t.wallet_id WHERE w.user_id = $1`,
      [user.id],
    );
    await expect(
      ds.query(`UPDATE wallet_transactions SET amount_cents = 1 WHERE id = $1`, [row.id]),
    ).rejects.toThrow(/append-only/);
    await expect(ds.query(`DELETE FROM wallet_transactions WHERE id = $1`, [row.id])).rejects.toThrow(
      /append-only/,
    );
    await expect(ds.query(`TRUNCATE wallet_transactions CASCADE`)).rejects.toThrow(/append-only/);
    expect(await ledger(user.id)).toEqual([{ type: 'admin_credit', amount: 700, after: 700 }]);
  });

  it('pages history newest first with a keyset cursor', async () => {
    const user = await aUser(app);
    for (let i = 1; i <= 5; i++) {
      await wallet.credit({
        userId: user.id,
        amountCents: i,
        type: 'admin_credit',
        actor: 'test',
        reason: `r${i}`,
      });
    }
    const first = await wallet.history(user.id, { limit: 2 });
    const second = await wallet.history(user.id, { limit: 2, beforeId: first[1]!.id });
    const third = await wallet.history(user.id, { limit: 2, beforeId: second[1]!.id });
    expect([...first, ...second, ...third].map((t) => t.amountCents)).toEqual([5, 4, 3, 2, 1]);
    await expect(wallet.history(user.id, { limit: 0 })).rejects.toBeInstanceOf(ValidationError);
    await expect(wallet.history(user.id, { limit: 501 })).rejects.toBeInstanceOf(ValidationError);
  });

  it('verify() reports a wallet whose balance no longer matches its rows', async () => {
    const user = await aUserWithBalance(app, 900);
    // Simulates someone editing the balance by hand, outside WalletService.
    await ds.query(`UPDATE wallets SET balance_cents = balance_cents + 1 WHERE user_id = $1`, [user.id]);
    const report = await wallet.verify();
    expect(report.ok).toBe(false);
    expect(report.drifted).toContainEqual(
      expect.objectContaining({
        userId: user.id,
        balanceCents: 901,
        ledgerSumCents: 900,
        lastBalanceAfterCents: 900,
      }),
    );
    await ds.query(`UPDATE wallets SET balance_cents = balance_cents - 1 WHERE user_id = $1`, [user.id]);
  });

  it('verify() reports a wallet whose kept totals no longer match its rows', async () => {
    const user = await aUser(app);
    await wallet.credit({ userId: user.id, amountCents: 800, type: 'topup', actor: 'test', reason: 't' });
    await wallet.debit({
      userId: user.id,
      amountCents: 300,
      type: 'server_charge',
      actor: 'test',
      reason: 's',
    });
    expect((await wallet.verify()).ok).toBe(true);
    await ds.query(`UPDATE wallets SET spent_cents = spent_cents + 5 WHERE user_id = $1`, [user.id]);
    try {
      const report = await wallet.verify();
      expect(report.ok).toBe(false);
      expect(report.drifted).toContainEqual(
        expect.objectContaining({
          userId: user.id,
          balanceCents: 500,
          ledgerSumCents: 500,
          toppedUpCents: 800,
          ledgerToppedUpCents: 800,
          spentCents: 305,
          ledgerSpentCents: 300,
        }),
      );
    } finally {
      await ds.query(`UPDATE wallets SET spent_cents = spent_cents - 5 WHERE user_id = $1`, [user.id]);
    }
  });
});
