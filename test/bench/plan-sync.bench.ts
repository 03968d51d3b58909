import { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PlanSyncService } from '@ozvps/plans';
import { aPackage, FakeVirtFusion } from '../fakes/virtfusion';
import { createTestDatabase, TestDatabase } from '../helpers/database';
import { bootLibs } from '../helpers/panel';

const PACKAGES = 1000;
const ROUNDS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return [Number(process.hrtime.bigint() - start) / 1e6, value];
}

describe(`bench: plan sync of ${PACKAGES} VirtFusion packages`, () => {
  let db: TestDatabase;
  let app: INestApplicationContext;
  let vf: FakeVirtFusion;

  beforeAll(async () => {
    vf = await new FakeVirtFusion().start();
    vf.packages = Array.from({ length: PACKAGES }, (_, i) => aPackage(i + 1));
    db = await createTestDatabase();
    app = await bootLibs(db.url, { env: { VIRTFUSION_URL: vf.url, VIRTFUSION_API_TOKEN: vf.token } });
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
    await vf.stop();
  });

  it('measures the first sync, an unchanged sync, and the bare fetch from VirtFusion as the baseline', async () => {
    const sync = app.get(PlanSyncService);
    const ds = app.get(DataSource);
    const [first, firstReport] = await timed(() => sync.sync('cli'));
    expect(firstReport.created).toBe(PACKAGES);

    const unchanged: number[] = [];
    const fetches: number[] = [];
    let rowsWritten = -1;
    for (let i = 0; i < ROUNDS; i++) {
      // Baseline: the HTTP fetch and JSON parse alone, the floor any sync pays.
      fetches.push(
        (
          await timed(() =>
            fetch(`${vf.url}/api/v1/packages`, { headers: { authorization: `Bearer ${vf.token}` } }).then(
              (r) => r.json(),
            ),
          )
        )[0],
      );
      const [ms, report] = await timed(() => sync.sync('cli'));
      unchanged.push(ms);
      rowsWritten = report.rowsWritten;
    }
    const [{ touched }] = await ds.query(
      `SELECT count(*)::int AS touched FROM plans WHERE updated_at <> created_at`,
    );
    const baseline = median(fetches);
    const lines = [
      `plan sync, ${PACKAGES} packages (median of ${ROUNDS} where repeated):`,
      `  fetch + parse GET /packages (baseline)   ${baseline.toFixed(1).padStart(8)} ms`,
      `  first sync (creates ${PACKAGES} plans)       ${first.toFixed(1).padStart(8)} ms   ${(first / baseline).toFixed(1)}x baseline`,
      `  unchanged sync                            ${median(unchanged).toFixed(1).padStart(8)} ms   ${(median(unchanged) / baseline).toFixed(1)}x baseline`,
      `  rows written by the unchanged sync        ${String(rowsWritten).padStart(8)}`,
      `  plans ever updated after creation         ${String(touched).padStart(8)}`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
    expect(rowsWritten).toBe(0);
    expect(touched).toBe(0);
  });
});
