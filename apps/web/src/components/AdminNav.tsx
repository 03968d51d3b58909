import { Link } from 'wouter';

export function AdminNav() {
  return (
    <nav aria-label="Admin" className="subnav">
      <Link href="/admin/users">Users</Link>
      <Link href="/admin/servers">Servers</Link>
      <Link href="/admin/plans">Plans</Link>
      <Link href="/admin/stripe">Stripe</Link>
      <Link href="/admin/mail">Outbox</Link>
      <Link href="/admin/forecast">Forecast</Link>
      <Link href="/admin/health">Health</Link>
      <Link href="/admin/audit">Audit</Link>
    </nav>
  );
}
