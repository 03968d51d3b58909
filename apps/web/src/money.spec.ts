import { formatMoney, formatSignedMoney, parseDollars } from './money';

describe('money formatting in the browser', () => {
  it('shows Australian dollars with the A$ symbol and two decimals, zero included', () => {
    expect(formatMoney(0, 'aud')).toBe('A$0.00');
    expect(formatMoney(2500, 'aud')).toBe('A$25.00');
    expect(formatMoney(5, 'AUD')).toBe('A$0.05');
    expect(formatMoney(123456789, 'aud')).toBe('A$1,234,567.89');
    expect(formatMoney(-1999, 'aud')).toBe('-A$19.99');
    expect(formatMoney(2500, 'usd')).toBe('$25.00');
  });

  it('signs ledger amounts, and zero has no sign', () => {
    expect(formatSignedMoney(2500, 'aud')).toBe('+A$25.00');
    expect(formatSignedMoney(-500, 'aud')).toBe('-A$5.00');
    expect(formatSignedMoney(0, 'aud')).toBe('A$0.00');
  });

  it('refuses amounts that are not whole cents instead of printing NaN', () => {
    expect(() => formatMoney(Number.NaN, 'aud')).toThrow(/whole number of cents/);
    expect(() => formatMoney(1.5, 'aud')).toThrow(/whole number of cents/);
    expect(() => formatSignedMoney(Number.POSITIVE_INFINITY, 'aud')).toThrow(/whole number of cents/);
  });

  it('reads what a customer types as dollars into cents, and nothing else', () => {
    expect(parseDollars('25')).toBe(2500);
    expect(parseDollars(' $25.5 ')).toBe(2550);
    expect(parseDollars('25.05')).toBe(2505);
    expect(parseDollars('0.99')).toBe(99);
    for (const bad of ['', 'abc', '25.999', '-5', '1e3', '25,00', '.5', '25.'])
      expect(parseDollars(bad)).toBeNull();
  });
});
