import { DataSource } from 'typeorm';
import { JobRunner, JobsRepository, PROCESS_NAME, RateLimitsRepository } from '@ozvps/core';
import { asPanelRole, createTestDatabase, openDataSource, TestDatabase } from './helpers/database';

const MINUTE = 60_000;

/**
 * The pieces that let several API processes behave as one, on a real PostgreSQL, as the panel's
 * own role (which owns nothing): each "process" below has its own connection pool.
 */
describe('cluster: shared rate-limit counters and claimed job runs', () => {
  let db: TestDatabase;
  let owner: DataSource;
  const pools: DataSource[] = [];

  async function aProcess(): Promise<DataSource> {
    const ds = await openDataSource(asPanelRole(db.url));
    pools.push(ds);
    return ds;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    owner = await openDataSource(db.url);
  });

  afterAll(async () => {
    await Promise.all(pools.map((p) => p.destroy()));
    await owner.destroy();
    await db.drop();
  });

  describe('RateLimitsRepository', () => {
    it('never says a block lasts longer than the block, even for a row a later transaction just wrote', async () => {
      const counter = new RateLimitsRepository(await aProcess());
      // What a transaction that began a little after ours leaves: a block ending past our now() + 15 min.
      await owner.query(
        `INSERT INTO rate_limit_hits (key, throttler, hits, window_started_at, expires_at, blocked_until)
         VALUES ('late-writer', 'auth-account', 11, now(), now() + interval '15 minutes 0.7 seconds',
                 now() + interval '15 minutes 0.7 seconds')`,
      );
      const r = await counter.hit('late-writer', 'auth-account', 15 * MINUTE, 10, 15 * MINUTE);
      expect(r.blocked).toBe(true);
      expect(r.blockedForSeconds).toBe(15 * 60);
      expect(r.expiresInSeconds).toBe(15 * 60);
    });

    it('lets exactly the limit through when 60 hits on one key race from three processes', async () => {
      const counters = await Promise.all([aProcess(), aProcess(), aProcess()]).then((all) =>
        all.map((ds) => new RateLimitsRepository(ds)),
      );
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          counters[i % 3]!.hit('race', 'auth-account', 15 * MINUTE, 10, 15 * MINUTE),
        ),
      );
      expect(results.filter((r) => !r.blocked)).toHaveLength(10);
      expect(
        results
          .filter((r) => !r.blocked)
          .map((r) => r.hits)
          .sort((a, b) => a - b),
      ).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      for (const r of results.filter((x) => x.blocked)) {
        expect(r.blockedForSeconds).toBeGreaterThan(14 * 60);
        expect(r.blockedForSeconds).toBeLessThanOrEqual(15 * 60);
      }
      // Hits while blocked are not counted: the row says 11, the hit that went over.
      expect(
        await owner.query(
          `SELECT throttler, hits, blocked_until > now() AS blocked FROM rate_limit_hits WHERE key = 'race'`,
        ),
      ).toEqual([{ throttler: 'auth-account', hits: 11, blocked: true }]);
    });

    it('keeps separate keys apart, and starts afresh once the window and the block are over', async () => {
      const counters = new RateLimitsRepository(await aProcess());
      for (let i = 0; i < 3; i++) await counters.hit('a', 'auth-ip', MINUTE, 3, MINUTE);
      expect((await counters.hit('a', 'auth-ip', MINUTE, 3, MINUTE)).blocked).toBe(true);
      expect(await counters.hit('b', 'auth-ip', MINUTE, 3, MINUTE)).toMatchObject({
        hits: 1,
        blocked: false,
      });

      // The clock is PostgreSQL's: move the row's window and block into the past instead of waiting.
      await owner.query(
        `UPDATE rate_limit_hits SET expires_at = now() - interval '1 second', blocked_until = now() - interval '1 second' WHERE key = 'a'`,
      );
      expect(await counters.hit('a', 'auth-ip', MINUTE, 3, MINUTE)).toMatchObject({
        hits: 1,
        blocked: false,
        blockedForSeconds: 0,
      });
      // A window that ran out without a block also starts again at one.
      await owner.query(
        `UPDATE rate_limit_hits SET expires_at = now() - interval '1 second' WHERE key = 'b'`,
      );
      expect(await counters.hit('b', 'auth-ip', MINUTE, 3, MINUTE)).toMatchObject({
        hits: 1,
        blocked: false,
      });
      const [{ expires_in }] = await owner.query(
        `SELECT extract(epoch FROM expires_at - now())::int AS expires_in FROM rate_limit_hits WHERE key = 'b'`,
      );
      expect(expires_in).toBeGreaterThan(55);
    });

    it('keeps a key blocked until its block ends, even after its window is over', async () => {
      const counters = new RateLimitsRepository(await aProcess());
      await counters.hit('long', 'auth-ip', MINUTE, 0, 10 * MINUTE);
      await owner.query(
        `UPDATE rate_limit_hits SET expires_at = now() - interval '1 second' WHERE key = 'long'`,
      );
      const r = await counters.hit('long', 'auth-ip', MINUTE, 0, 10 * MINUTE);
      expect(r.blocked).toBe(true);
      expect(r.blockedForSeconds).toBeGreaterThan(9 * 60);
    });

    it('prunes only counters whose window and block are both over', async () => {
      const counters = new RateLimitsRepository(await aProcess());
      await owner.query(`DELETE FROM rate_limit_hits`);
      await counters.hit('live', 'auth-ip', MINUTE, 5, MINUTE);
      await counters.hit('stale', 'auth-ip', MINUTE, 5, MINUTE);
      await counters.hit('blocked', 'auth-ip', MINUTE, 0, MINUTE);
      await owner.query(
        `UPDATE rate_limit_hits SET expires_at = now() - interval '1 second' WHERE key IN ('stale', 'blocked')`,
      );
      expect(await counters.prune()).toBe(1);
      expect(await owner.query(`SELECT key FROM rate_limit_hits ORDER BY key`)).toEqual([
        { key: 'blocked' },
        { key: 'live' },
      ]);
    });
  });

  describe('JobRunner', () => {
    const tick = new Date('2026-11-23T10:00:00Z');

    it('runs a tick in exactly one of three processes that race for it, and records who ran it', async () => {
      const runners = await Promise.all([aProcess(), aProcess(), aProcess()]).then((all) =>
        all.map((ds) => new JobRunner(new JobsRepository(ds))),
      );
      let runs = 0;
      const outcomes = await Promise.all(
        runners.flatMap((runner) =>
          [1, 2].map(() =>
            runner.runOnce('race-job', tick, async () => {
              runs++;
              return { done: 7 };
            }),
          ),
        ),
      );
      expect(runs).toBe(1);
      expect(outcomes.sort()).toEqual(['ran', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped']);
      const rows = await owner.query(
        `SELECT name, tick, trigger, claimed_by, outcome, counts, error, finished_at IS NOT NULL AS finished
           FROM job_runs WHERE name = 'race-job'`,
      );
      expect(rows).toEqual([
        {
          name: 'race-job',
          tick,
          trigger: 'schedule',
          claimed_by: PROCESS_NAME,
          outcome: 'succeeded',
          counts: { done: 7 },
          error: null,
          finished: true,
        },
      ]);
      // The next tick is a new claim.
      const next = new Date(tick.getTime() + MINUTE);
      expect(await runners[2]!.runOnce('race-job', next, async () => undefined)).toBe('ran');
    });

    it('records a failed run with its error and throws the error on; the tick stays taken', async () => {
      const runner = new JobRunner(new JobsRepository(await aProcess()));
      await expect(
        runner.runOnce('failing-job', tick, async () => {
          throw new Error('VirtFusion is down');
        }),
      ).rejects.toThrow('VirtFusion is down');
      expect(await runner.runOnce('failing-job', tick, async () => ({ n: 1 }))).toBe('skipped');
      expect(
        await owner.query(`SELECT outcome, error, counts FROM job_runs WHERE name = 'failing-job'`),
      ).toEqual([{ outcome: 'failed', error: 'VirtFusion is down', counts: null }]);
    });

    it('records runs on start without a tick, as many as there are starts', async () => {
      const runner = new JobRunner(new JobsRepository(await aProcess()));
      await runner.runHere('startup-job', async () => ({ resumed: 0 }));
      await runner.runHere('startup-job', async () => ({ resumed: 2 }));
      expect(
        await owner.query(
          `SELECT tick, trigger, outcome, counts FROM job_runs WHERE name = 'startup-job' ORDER BY id`,
        ),
      ).toEqual([
        { tick: null, trigger: 'startup', outcome: 'succeeded', counts: { resumed: 0 } },
        { tick: null, trigger: 'startup', outcome: 'succeeded', counts: { resumed: 2 } },
      ]);
    });

    it('prunes runs older than the days kept', async () => {
      const jobs = new JobsRepository(await aProcess());
      await owner.query(
        `INSERT INTO job_runs (name, tick, trigger, claimed_by, started_at) VALUES
           ('old-job', now() - interval '40 days', 'schedule', 'host:1', now() - interval '40 days'),
           ('old-job', now() - interval '2 days', 'schedule', 'host:1', now() - interval '2 days')`,
      );
      expect(await jobs.prune(30)).toBe(1);
      expect(await owner.query(`SELECT count(*)::int AS n FROM job_runs WHERE name = 'old-job'`)).toEqual([
        { n: 1 },
      ]);
    });
  });
});
