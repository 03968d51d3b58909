import { CronTime } from 'cron';
import { tickOf } from './cluster-jobs';

describe('tickOf', () => {
  const at = (iso: string) => new Date(iso);

  it('names the same tick for a firing a little early, on time or late', () => {
    const hourly = new CronTime('0 * * * *', 'UTC');
    for (const firing of ['2026-11-23T10:59:59.990Z', '2026-11-23T11:00:00.000Z', '2026-11-23T11:00:07.500Z'])
      expect(tickOf(hourly, at(firing))).toEqual(at('2026-11-23T11:00:00Z'));
  });

  it('tells neighbouring ticks apart at a two-second schedule', () => {
    const every2s = new CronTime('*/2 * * * * *', 'UTC');
    expect(tickOf(every2s, at('2026-11-23T11:00:01.999Z'))).toEqual(at('2026-11-23T11:00:02Z'));
    expect(tickOf(every2s, at('2026-11-23T11:00:02.400Z'))).toEqual(at('2026-11-23T11:00:02Z'));
    expect(tickOf(every2s, at('2026-11-23T11:00:03.900Z'))).toEqual(at('2026-11-23T11:00:04Z'));
  });

  it('follows a ten-minute schedule', () => {
    const tenMinutes = new CronTime('*/10 * * * *', 'UTC');
    expect(tickOf(tenMinutes, at('2026-11-23T11:20:00.050Z'))).toEqual(at('2026-11-23T11:20:00Z'));
    expect(tickOf(tenMinutes, at('2026-11-23T11:19:59.950Z'))).toEqual(at('2026-11-23T11:20:00Z'));
  });
});
