import { Link } from 'wouter';
import { PublicPlan } from '../api';
import { formatMoney } from '../money';

const gb = (mb: number) => (mb >= 1024 ? `${+(mb / 1024).toFixed(1)} GB` : `${mb} MB`);

export function Specs({ plan }: { plan: PublicPlan }) {
  return (
    <ul className="specs">
      <li>{plan.vcpu} vCPU</li>
      <li>{gb(plan.memoryMb)} memory</li>
      <li>{plan.storageGb} GB storage</li>
      <li>{plan.trafficGb ? `${plan.trafficGb} GB traffic` : 'Unmetered traffic'}</li>
      {plan.networkSpeedOutMbps ? <li>{plan.networkSpeedOutMbps} Mbps network</li> : null}
    </ul>
  );
}

/** Every plan on sale as a card with its price and a Deploy link (pricing and front page). */
export function PlanCards({
  plans,
  currency,
  headingLevel = 2,
}: {
  plans: PublicPlan[];
  currency: string;
  headingLevel?: 2 | 3;
}) {
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <div className="plans">
      {plans.map((p) => (
        <article className="card plan" key={p.id} data-testid={`plan-${p.id}`}>
          <Heading>{p.name}</Heading>
          {p.description && <p className="muted">{p.description}</p>}
          <p className="price">
            <strong>{formatMoney(p.priceMonthlyCents, currency)}</strong> / month
          </p>
          <Specs plan={p} />
          <Link className="button" href={`/deploy?plan=${p.id}`} aria-label={`Deploy ${p.name}`}>
            Deploy
          </Link>
        </article>
      ))}
    </div>
  );
}
