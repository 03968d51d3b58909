import { ValidationError } from './errors';
import { assertPositiveCents, formatCents, parseCents } from './money';

describe('parseCents', () => {
  it.each(['1', '2500', '10000000'])('accepts the plain whole number %s', (input) => {
    expect(parseCents(input, 10_000_000)).toBe(Number(input));
  });

  it.each(['5.00', '-1', '0', '1e3', 'abc', '', ' 12', '12 ', '+5', '0x10', '007', '1_000', '١٢'])(
    'refuses "%s"',
    (input) => {
      expect(() => parseCents(input, 10_000_000)).toThrow(ValidationError);
    },
  );

  it('refuses an amount above the maximum, and one beyond safe integers', () => {
    expect(() => parseCents('10000001', 10_000_000)).toThrow(/above the maximum of 10000000 cents/);
    expect(() => parseCents('9007199254740993', Number.MAX_SAFE_INTEGER)).toThrow(ValidationError);
  });
});

describe('assertPositiveCents', () => {
  it.each([0, -5, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '5', null, undefined])('refuses %p', (value) => {
    expect(() => assertPositiveCents(value)).toThrow(ValidationError);
  });
});

describe('formatCents', () => {
  it.each([
    [0, 'A$0.00'],
    [5, 'A$0.05'],
    [123456, 'A$1,234.56'],
    [-2500, '-A$25.00'],
  ])('formats %d AUD cents as %s', (cents, text) => {
    expect(formatCents(cents, 'aud')).toBe(text);
  });
});
