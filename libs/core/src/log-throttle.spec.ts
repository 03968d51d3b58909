import { LogThrottle } from './log-throttle';

describe('LogThrottle', () => {
  it('writes one line per cause per window and reports how many it left out', () => {
    let now = 0;
    const throttle = new LogThrottle(5_000, () => now);
    expect(throttle.line('db:ECONNREFUSED', 'Database unavailable')).toBe('Database unavailable');
    expect(throttle.line('other', 'Something else')).toBe('Something else');
    for (let i = 0; i < 250; i++) {
      now += 10;
      expect(throttle.line('db:ECONNREFUSED', 'Database unavailable')).toBeUndefined();
    }
    now = 5_000;
    expect(throttle.line('db:ECONNREFUSED', 'Database unavailable')).toBe(
      'Database unavailable (and 250 more like it in the last 5+ s)',
    );
    now = 20_000;
    expect(throttle.line('db:ECONNREFUSED', 'Database unavailable')).toBe('Database unavailable');
  });
});
