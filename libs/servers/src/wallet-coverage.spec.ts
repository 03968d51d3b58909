import { walletCoverage } from './wallet-coverage';

const anchor = new Date('2026-01-31T10:00:00.000Z');
const now = new Date('2026-02-10T00:00:00.000Z');
const aRunningServer = (over: Partial<Parameters<typeof walletCoverage>[1][number]> = {}) => ({
  status: 'active' as const,
  cancelAtPeriodEnd: false,
  anchorAt: anchor,
  periodsPaid: 1,
  priceMonthlyCents: 1000,
  nextPriceCents: null,
  nextPriceFrom: null,
  ...over,
});

describe('how far a balance covers the renewals', () => {
  it('pays renewals in date order and stops at the first one the balance cannot pay', () => {
    // Renewals on 28 Feb, 31 Mar, 30 Apr…: A$25 pays two of A$10, not the third.
    expect(walletCoverage(2500, [aRunningServer()], now)).toEqual({
      nextRenewal: { at: '2026-02-28T10:00:00.000Z', amountCents: 1000 },
      coversNextRenewal: true,
      coveredUntil: '2026-04-30T10:00:00.000Z',
      horizonMonths: 24,
    });
  });

  it('warns when the balance does not cover the next renewal, with two servers and a scheduled price', () => {
    const second = aRunningServer({
      anchorAt: new Date('2026-02-15T00:00:00.000Z'),
      periodsPaid: 0,
      priceMonthlyCents: 500,
      nextPriceCents: 700,
      nextPriceFrom: new Date('2026-03-15T00:00:00.000Z'),
    });
    const c = walletCoverage(1400, [aRunningServer(), second], now);
    // 15 Feb A$5 (left 9), 28 Feb A$10 does not fit.
    expect(c).toMatchObject({ coversNextRenewal: true, coveredUntil: '2026-02-28T10:00:00.000Z' });
    expect(walletCoverage(400, [second], now)).toMatchObject({
      nextRenewal: { at: '2026-02-15T00:00:00.000Z', amountCents: 500 },
      coversNextRenewal: false,
      coveredUntil: '2026-02-15T00:00:00.000Z',
    });
    // From 15 Mar the scheduled A$7 is charged: A$12 pays 15 Feb (A$5) and 15 Mar (A$7), not 15 Apr.
    expect(walletCoverage(1200, [second], now).coveredUntil).toBe('2026-04-15T00:00:00.000Z');
  });

  it('leaves out servers that do not renew, and says nothing renews when none does', () => {
    const none = walletCoverage(
      0,
      [
        aRunningServer({ cancelAtPeriodEnd: true }),
        aRunningServer({ status: 'terminated' }),
        aRunningServer({ status: 'awaiting_funds', anchorAt: null }),
      ],
      now,
    );
    expect(none).toEqual({
      nextRenewal: null,
      coversNextRenewal: true,
      coveredUntil: null,
      horizonMonths: 24,
    });
  });

  it('says the balance lasts beyond the horizon rather than walking forever', () => {
    expect(walletCoverage(1_000_000, [aRunningServer({ priceMonthlyCents: 100 })], now)).toMatchObject({
      coversNextRenewal: true,
      coveredUntil: null,
    });
  });
});
