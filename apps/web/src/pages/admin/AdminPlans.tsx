import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { AdminPlan, api, SyncReport } from '../../api';
import { AdminNav } from '../../components/AdminNav';
import { PriceForm, RepriceForm } from '../../components/PlanPriceForms';
import { QueryState } from '../../components/QueryState';
import { formatMoney } from '../../money';
import { queries } from '../../queries';
import { useAppInfo } from '../../session';
import { ErrorMessage, PageTitle } from '../../ui';

const statusOf = (p: AdminPlan) =>
  p.active
    ? 'On sale'
    : !p.present
      ? 'Gone from VirtFusion'
      : !p.enabled
        ? 'Disabled in VirtFusion'
        : 'No price';

export function AdminPlans() {
  const queryClient = useQueryClient();
  const app = useAppInfo();
  const currency = app.data?.currency ?? 'aud';
  const plans = useQuery(queries.adminPlans());
  const sync = useMutation({
    mutationFn: () => api.post<SyncReport>('/api/admin/plans/sync'),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queries.adminPlans().queryKey }),
  });
  return (
    <section>
      <AdminNav />
      <PageTitle>Plans</PageTitle>
      <p>
        Plans and their specs come from VirtFusion; only the price is set here. A plan is on sale when
        VirtFusion offers it and it has a price.
      </p>
      <button type="button" onClick={() => sync.mutate()} disabled={sync.isPending}>
        {sync.isPending ? 'Syncing…' : 'Sync now'}
      </button>
      <ErrorMessage error={sync.error} />
      {sync.data && (
        <p className="notice success" role="status" data-testid="sync-report">
          Synced: {sync.data.created} new, {sync.data.updated} updated, {sync.data.deactivated} taken off
          sale, {sync.data.reactivated} back on sale, {sync.data.unchanged} unchanged.
        </p>
      )}
      <QueryState
        query={plans}
        what="plans"
        isEmpty={(d) => d.plans.length === 0}
        empty={<p className="muted">No plans yet. Press Sync now to fetch them from VirtFusion.</p>}
      >
        {(d) => (
          <div className="table-wrap">
            <table className="stack-narrow">
              <thead>
                <tr>
                  <th scope="col">Plan</th>
                  <th scope="col">Package</th>
                  <th scope="col">Specs</th>
                  <th scope="col">Status</th>
                  <th scope="col">Price / month</th>
                </tr>
              </thead>
              <tbody>
                {d.plans.map((p) => (
                  <tr
                    key={p.id}
                    className={p.active ? '' : 'inactive'}
                    data-testid={`admin-plan-${p.virtfusionPackageId}`}
                  >
                    <td data-label="Plan">{p.name}</td>
                    <td data-label="Package">#{p.virtfusionPackageId}</td>
                    <td data-label="Specs">
                      {p.vcpu} vCPU · {p.memoryMb} MB · {p.storageGb} GB
                    </td>
                    <td data-label="Status">{statusOf(p)}</td>
                    <td data-label="Price / month">
                      {p.priceMonthlyCents !== null && (
                        <span>{formatMoney(p.priceMonthlyCents, currency)} </span>
                      )}
                      <PriceForm plan={p} currency={currency} />
                      {p.priceMonthlyCents !== null && <RepriceForm plan={p} currency={currency} />}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryState>
    </section>
  );
}
