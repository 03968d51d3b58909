import { useQuery } from '@tanstack/react-query';
import { FormEvent, useState } from 'react';
import { Link } from 'wouter';
import { api } from '../../api';
import { formatDate, formatMoney } from '../../money';
import { ErrorMessage, Loading, PageTitle } from '../../ui';
import { AdminNav } from '../../components/AdminNav';

interface Subject {
  serverId: number;
  hostname: string;
  userId: number;
  email: string;
}

/** What happens next (GET /api/admin/forecast?days=N): the renewal runs' plan, as the job decides it. */
export interface ForecastView {
  generatedAt: string;
  until: string;
  days: number;
  currency: string;
  totals: { renewals: number; dueCents: number; coveredCents: number; shortfallCents: number };
  renewals: (Subject & {
    at: string;
    period: number;
    amountCents: number;
    balanceBeforeCents: number;
    earlierRenewalsCents: number;
    covered: boolean;
    shortfallCents: number;
  })[];
  shortfalls: {
    userId: number;
    email: string;
    balanceCents: number;
    dueCents: number;
    shortfallCents: number;
    serverIds: number[];
  }[];
  suspensions: (Subject & { at: string; reason: 'overdue' | 'cancelled' })[];
  terminations: (Subject & { at: string; reason: 'overdue' | 'cancelled' })[];
  waitingDeploys: (Subject & { status: string; step: string; createdAt: string; priceCents: number })[];
  stuckProvisioning: (Subject & { status: string; step: string; createdAt: string; priceCents: number })[];
}

const DAY_CHOICES = [1, 3, 7, 14, 30, 60, 90];

function Who({ s }: { s: Subject }) {
  return (
    <>
      <td>
        <Link href={`/admin/servers/${s.serverId}`}>
          #{s.serverId} {s.hostname}
        </Link>
      </td>
      <td>
        <Link href={`/admin/users/${s.userId}`}>{s.email || `user ${s.userId}`}</Link>
      </td>
    </>
  );
}

function Steps({ title, rows, empty }: { title: string; rows: ForecastView['suspensions']; empty: string }) {
  return (
    <>
      <h2>{title}</h2>
      {rows.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <div className="table-wrap">
          <table aria-label={title}>
            <thead>
              <tr>
                <th>When</th>
                <th>Server</th>
                <th>User</th>
                <th>Why</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((s) => (
                <tr key={`${s.serverId}-${s.at}`}>
                  <td>{formatDate(s.at)}</td>
                  <Who s={s} />
                  <td>{s.reason === 'cancelled' ? 'cancelled by the customer' : 'renewal unpaid'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

export function AdminForecast() {
  const [days, setDays] = useState(7);
  const [choice, setChoice] = useState('7');
  const forecast = useQuery({
    queryKey: ['admin-forecast', days],
    queryFn: () => api.get<{ forecast: ForecastView }>(`/api/admin/forecast?days=${days}`),
  });
  const f = forecast.data?.forecast;
  const money = (c: number) => formatMoney(c, f?.currency ?? 'aud');

  return (
    <section>
      <AdminNav />
      <PageTitle>What happens next</PageTitle>
      <p className="muted">
        Computed from the database with the same rules the renewal job applies, assuming no money arrives.
      </p>
      <form
        className="inline"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          setDays(Number(choice));
        }}
      >
        <label>
          Days ahead
          <select value={choice} onChange={(e) => setChoice(e.target.value)}>
            {DAY_CHOICES.map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Show</button>
      </form>
      {forecast.isPending && <Loading what="the forecast" />}
      {forecast.error && <ErrorMessage error={forecast.error} />}
      {f && (
        <>
          <p>
            Next {f.days} day{f.days === 1 ? '' : 's'}: {f.totals.renewals} renewal
            {f.totals.renewals === 1 ? '' : 's'} of {money(f.totals.dueCents)}, {money(f.totals.coveredCents)}{' '}
            covered, <strong>{money(f.totals.shortfallCents)} short</strong>.
          </p>
          <h2>Renewals</h2>
          {f.renewals.length === 0 ? (
            <p className="muted">No renewals in this period.</p>
          ) : (
            <div className="table-wrap">
              <table aria-label="Renewals">
                <thead>
                  <tr>
                    <th>When</th>
                    <th>Server</th>
                    <th>User</th>
                    <th>Amount</th>
                    <th>Covered</th>
                  </tr>
                </thead>
                <tbody>
                  {f.renewals.map((r) => (
                    <tr key={`${r.serverId}-${r.period}`} className={r.covered ? undefined : 'warning'}>
                      <td>{formatDate(r.at)}</td>
                      <Who s={r} />
                      <td>{money(r.amountCents)}</td>
                      <td>{r.covered ? 'yes' : `no: ${money(r.shortfallCents)} short`}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <h2>Wallets that will not cover their renewals</h2>
          {f.shortfalls.length === 0 ? (
            <p className="muted">Every wallet covers its renewals.</p>
          ) : (
            <div className="table-wrap">
              <table aria-label="Shortfalls">
                <thead>
                  <tr>
                    <th>User</th>
                    <th>Balance</th>
                    <th>Unpaid renewals</th>
                    <th>Short by</th>
                  </tr>
                </thead>
                <tbody>
                  {f.shortfalls.map((w) => (
                    <tr key={w.userId}>
                      <td>
                        <Link href={`/admin/users/${w.userId}`}>{w.email || `user ${w.userId}`}</Link>
                      </td>
                      <td>{money(w.balanceCents)}</td>
                      <td>{money(w.dueCents)}</td>
                      <td>{money(w.shortfallCents)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <Steps title="Suspensions" rows={f.suspensions} empty="No suspensions in this period." />
          <Steps title="Terminations" rows={f.terminations} empty="No terminations in this period." />
          <h2>Waiting and stuck</h2>
          {f.waitingDeploys.length + f.stuckProvisioning.length === 0 ? (
            <p className="muted">No deploy is waiting for a top-up and no provisioning is stuck.</p>
          ) : (
            <div className="table-wrap">
              <table aria-label="Waiting and stuck">
                <thead>
                  <tr>
                    <th>Since</th>
                    <th>Server</th>
                    <th>User</th>
                    <th>State</th>
                  </tr>
                </thead>
                <tbody>
                  {f.waitingDeploys.map((s) => (
                    <tr key={s.serverId}>
                      <td>{formatDate(s.createdAt)}</td>
                      <Who s={s} />
                      <td>waiting for a top-up of {money(s.priceCents)}</td>
                    </tr>
                  ))}
                  {f.stuckProvisioning.map((s) => (
                    <tr key={s.serverId} className="warning">
                      <td>{formatDate(s.createdAt)}</td>
                      <Who s={s} />
                      <td>provisioning stuck at {s.step}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}
