import { dayStart, documentDate } from './document-dates';

describe("documents' days are Sydney days", () => {
  it('a day begins at Sydney midnight, in summer (AEDT, +11) and in winter (AEST, +10)', () => {
    expect(dayStart('2026-01-15')!.toISOString()).toBe('2026-01-14T13:00:00.000Z');
    expect(dayStart('2026-07-01')!.toISOString()).toBe('2026-06-30T14:00:00.000Z');
  });

  it('the days daylight saving starts and ends', () => {
    // 5 April 2026: clocks go back at 03:00 AEDT; midnight is still AEDT.
    expect(dayStart('2026-04-05')!.toISOString()).toBe('2026-04-04T13:00:00.000Z');
    expect(dayStart('2026-04-06')!.toISOString()).toBe('2026-04-05T14:00:00.000Z');
    // 4 October 2026: clocks go forward at 02:00 AEST.
    expect(dayStart('2026-10-04')!.toISOString()).toBe('2026-10-03T14:00:00.000Z');
    expect(dayStart('2026-10-05')!.toISOString()).toBe('2026-10-04T13:00:00.000Z');
  });

  it('refuses what is not a calendar day', () => {
    for (const bad of ['2026-02-30', '2026-13-01', '26-01-01', 'today', '2026-1-1'])
      expect(dayStart(bad)).toBeNull();
  });

  it("dates an instant by Sydney's calendar", () => {
    expect(documentDate(new Date('2026-06-30T14:30:00Z'))).toBe('2026-07-01');
    expect(documentDate(new Date('2026-06-30T13:59:59Z'))).toBe('2026-06-30');
  });
});
