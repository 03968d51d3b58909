import { addMonths } from './clock';

describe('addMonths (renewal anniversaries)', () => {
  const at = (iso: string) => new Date(iso);

  it.each([
    ['2026-01-15T10:30:00Z', 1, '2026-02-15T10:30:00.000Z'],
    ['2026-01-31T00:00:00Z', 1, '2026-02-28T00:00:00.000Z'],
    ['2028-01-31T00:00:00Z', 1, '2028-02-29T00:00:00.000Z'],
    ['2026-01-31T00:00:00Z', 2, '2026-03-31T00:00:00.000Z'],
    ['2026-12-31T23:59:59Z', 2, '2027-02-28T23:59:59.000Z'],
    ['2026-05-31T12:00:00Z', 12, '2027-05-31T12:00:00.000Z'],
    ['2026-05-31T12:00:00Z', 0, '2026-05-31T12:00:00.000Z'],
  ])('%s + %i months = %s', (start, months, expected) => {
    expect(addMonths(at(start), months).toISOString()).toBe(expected);
  });
});
