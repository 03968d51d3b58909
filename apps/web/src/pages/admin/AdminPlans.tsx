import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { AdminPlan, api } from '../../api';
import { AdminNav } from '../../components/AdminNav';
import { PriceForm, RepriceForm } from '../../components/PlanPriceForms';
import { formatMoney } from '../../money';
import { useAppInfo } from '../../session';
import { ErrorMessage, Loading, PageTitle } from '../../ui';

interface SyncReport {
  created: number;
  updated: number;
  deactivated: number;
  reactivated: number;
  unchanged: number;
}

export function AdminPlans() {
  const queryClient = useQueryClient();
  const app = useAppInfo();
  const currency = app.data?.currency ?? 'aud';
  const plans = useQuery({
    queryKey: ['admin-plans'],
    queryFn: () => api.get<{ plans: AdminPlan[] }>('/api/admin/plans'),
  });
  const sync = useMutation({
    mutationFn: () => api.post<SyncReport>('/api/admin/plans/sync'),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['admin-plans'] }),
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
      {plans.isPending ? (
        <Loading what="plans" />
      ) : plans.error ? (
        <ErrorMessage error={plans.error} />
      ) : plans.data.plans.length === 0 ? (
        <p className="muted">No plans yet: sync from VirtFusion.</p>
      ) : (
        <div className="table-wrap">
          <table>
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
              {plans.data.plans.map((p) => (
                <tr
                  key={p.id}
                  className={p.active ? '' : 'inactive'}
                  data-testid={`admin-plan-${p.virtfusionPackageId}`}
                >
                  <td>{p.name}</td>
                  <td>#{p.virtfusionPackageId}</td>
                  <td>
                    {p.vcpu} vCPU · {p.memoryMb} MB · {p.storageGb} GB
                  </td>
                  <td>
                    {p.active
                      ? 'On sale'
                      : !p.present
                        ? 'Gone from VirtFusion'
                        : !p.enabled
                          ? 'Disabled in VirtFusion'
                          : 'No price'}
                  </td>
                  <td>
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
    </section>
  );
}
