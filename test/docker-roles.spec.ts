import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@ozvps/core';

// No Docker engine runs where this project is built: the compose file is checked by reading it.
const DOCKER = join(__dirname, '..', 'docker');
const compose = readFileSync(join(DOCKER, 'compose.yml'), 'utf8');
const rolesSql = readFileSync(join(DOCKER, 'db-roles.sql'), 'utf8');

/** One service's block of compose.yml: from `  name:` to the next top-level key or service. */
function service(name: string): string {
  const lines = compose.split('\n');
  const start = lines.indexOf(`  ${name}:`);
  if (start < 0) throw new Error(`service ${name} not in compose.yml`);
  const end = lines.findIndex((l, i) => i > start && /^ {0,2}\S/.test(l) && !/^\s*#/.test(l));
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
}

function envValue(name: string, text = compose): string {
  const match = text.match(new RegExp(`^\\s+${name}: (\\S+)$`, 'm'));
  if (!match) throw new Error(`${name} not in compose.yml`);
  return match[1];
}

describe('docker/compose.yml: the panel runs as a role that owns nothing', () => {
  it('gives the panel its own role on DATABASE_URL and the owner role only as DATABASE_OWNER_URL', () => {
    const superuser = envValue('POSTGRES_USER');
    const panel = new URL(envValue('DATABASE_URL', service('panel')).replace(/\$\{\w+\}/, 'x'));
    const owner = new URL(envValue('DATABASE_OWNER_URL', service('migrate')).replace(/\$\{\w+\}/, 'x'));
    expect(panel.username).toBe('ozvps_panel');
    expect(owner.username).toBe('ozvps_owner');
    expect(new Set([superuser, panel.username, owner.username]).size).toBe(3);
    expect(panel.pathname).toBe('/ozvps_panel');
    expect(owner.pathname).toBe('/ozvps_panel');
  });

  it("keeps the owner's URL and password out of the panel's container: a one-shot migrate has them", () => {
    const panel = service('panel');
    expect(panel).toContain('DATABASE_URL: postgresql://ozvps_panel:${OZVPS_DB_PANEL_PASSWORD}@db');
    expect(panel).not.toMatch(/DATABASE_OWNER_URL|OZVPS_DB_OWNER_PASSWORD|ozvps_owner|OZVPS_DB_PASSWORD/);
    expect(panel).toMatch(/depends_on:\s+migrate:\s+condition: service_completed_successfully/);

    const migrate = service('migrate');
    expect(envValue('image', migrate)).toBe(envValue('image', panel));
    // One build of that image, by the service that runs first; neither is ever pulled from a registry.
    expect(migrate).toMatch(/^ {4}build:$/m);
    expect(envValue('pull_policy', migrate)).toBe('build');
    expect(panel).not.toMatch(/^ {4}build:/m);
    expect(envValue('pull_policy', panel)).toBe('never');
    expect(compose.match(/^ {4}build:$/gm)).toHaveLength(1);
    expect(migrate).toContain("command: ['node', 'dist/apps/cli/src/main.js', 'db', 'migrate']");
    expect(migrate).toMatch(/restart: 'no'/);
    expect(migrate).toMatch(/depends_on:\s+db-roles:\s+condition: service_completed_successfully/);
    expect(envValue('DATABASE_URL', migrate)).toBe(envValue('DATABASE_URL', panel));
    // The panel's own settings file must not carry it either.
    expect(readFileSync(join(DOCKER, 'panel.env.example'), 'utf8')).not.toMatch(/^DATABASE_OWNER_URL=/m);
  });

  it('creates both roles without superuser powers and hands the schema to the owner before the panel starts', () => {
    expect(service('migrate')).toMatch(/depends_on:\s+db-roles:\s+condition: service_completed_successfully/);
    expect(compose).toMatch(/- \.\/db-roles\.sql:\/db-roles\.sql:ro/);
    for (const role of ['ozvps_owner', 'ozvps_panel']) {
      expect(rolesSql).toMatch(
        new RegExp(
          `CREATE ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L'[^\\n]*\\n WHERE NOT EXISTS`,
        ),
      );
    }
    expect(rolesSql).toContain('ALTER DATABASE ozvps_panel OWNER TO ozvps_owner;');
    expect(rolesSql).toMatch(/ALTER TABLE %s OWNER TO ozvps_owner/);
    // Passwords travel as psql variables, never as literal text in the file.
    expect(rolesSql).not.toMatch(/PASSWORD '[^%]/);
  });
});

describe('docker/compose.yml: Caddy in front of two panel replicas', () => {
  const caddyfile = readFileSync(join(DOCKER, 'Caddyfile'), 'utf8');
  /** A key's whole value in a block (it may hold spaces: `${VAR:?message}`). */
  const valueOf = (name: string, text: string): string => {
    const match = new RegExp(`^\\s+${name}: (.+)$`, 'm').exec(text);
    if (!match) throw new Error(`${name} not in compose.yml`);
    return match[1];
  };

  it('publishes only Caddy, on 80 and 443, with the site from OZVPS_DOMAIN and its certificates in a volume', () => {
    const caddy = service('caddy');
    expect(envValue('image', caddy)).toMatch(/^caddy:2/);
    expect(caddy).toMatch(/ports:\s+- '80:80'\s+- '443:443'/);
    expect(caddy).toContain('- ./Caddyfile:/etc/caddy/Caddyfile:ro');
    expect(caddy).toMatch(/- caddy-data:\/data$/m);
    expect(compose).toMatch(/^volumes:\n(?: {2}\S+:\n)*? {2}caddy-data:$/m);
    expect(valueOf('OZVPS_DOMAIN', caddy)).toMatch(/^\$\{OZVPS_DOMAIN:\?/);
    expect(caddy).toMatch(/depends_on:\s+panel:\s+condition: service_healthy/);
    for (const name of ['db', 'db-roles', 'migrate', 'panel'])
      expect(service(name)).not.toMatch(/^\s+ports:/m);
  });

  it('runs two panel replicas on https://OZVPS_DOMAIN, trusting X-Forwarded-For only from the compose network', () => {
    const panel = service('panel');
    expect(panel).toMatch(/deploy:\s+replicas: 2/);
    expect(panel).not.toMatch(/container_name:/);
    expect(valueOf('APP_URL', panel)).toMatch(/^https:\/\/\$\{OZVPS_DOMAIN:\?/);
    const appUrl = valueOf('APP_URL', panel).replace(/\$\{[^}]+\}/, 'panel.example.com');
    const trustProxy = valueOf('TRUST_PROXY', panel);
    // What the panel itself makes of these values: accepted, with secure cookies.
    const config = loadConfig({ OZVPS_ENV_FILE: '/dev/null', APP_URL: appUrl, TRUST_PROXY: trustProxy });
    expect(config.secureCookies).toBe(true);
    expect(config.trustProxy).toEqual(['uniquelocal']);
    // The one-shots still run before any replica starts.
    expect(panel).toMatch(/depends_on:\s+migrate:\s+condition: service_completed_successfully/);
    expect(service('migrate')).toMatch(/depends_on:\s+db-roles:\s+condition: service_completed_successfully/);
  });

  it('proxies the named site to every replica, compressed, with request bodies untouched (Stripe signs them)', () => {
    expect(caddyfile).toMatch(/^\{\n\temail \{\$OZVPS_ACME_EMAIL\}\n\}$/m);
    expect(caddyfile).toMatch(/^\{\$OZVPS_DOMAIN\} \{$/m);
    expect(caddyfile).toMatch(/^\tencode zstd gzip$/m);
    // Re-resolved every 5s, so the replicas of a new `up -d --build` get traffic within seconds.
    expect(caddyfile).toMatch(
      /^\treverse_proxy \{\n\t\tdynamic a panel 3000 \{\n\t\t\trefresh 5s\n\t\t\}\n/m,
    );
    expect(caddyfile).not.toMatch(/request_body|replace|rewrite|http:\/\//);
  });
});
