import { useQuery } from '@tanstack/react-query';
import { PlanCards } from '../components/PlanCards';
import { QueryState } from '../components/QueryState';
import { queries } from '../queries';
import { useAppInfo } from '../session';
import { PageTitle } from '../ui';

/** Public: every plan on sale, as VirtFusion describes it and at the price an admin set. */
export function Pricing() {
  const plans = useQuery(queries.plans());
  const app = useAppInfo();
  return (
    <section>
      <PageTitle>Pricing</PageTitle>
      <QueryState
        query={plans}
        what="plans"
        isEmpty={(d) => d.plans.length === 0}
        empty={<p>No plans are on sale right now. Please check back soon.</p>}
      >
        {(d) => <PlanCards plans={d.plans} currency={app.data?.currency ?? 'aud'} />}
      </QueryState>
    </section>
  );
}
