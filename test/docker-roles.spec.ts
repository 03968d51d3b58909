import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// No Docker engine runs where this project is built: the compose file is checked by reading it.
const DOCKER = join(__dirname, '..', 'docker');
const compose = readFileSync(join(DOCKER, 'compose.yml'), 'utf8');
const rolesSql = readFileSync(join(DOCKER, 'db-roles.sql'), 'utf8');

function envValue(name: string): string {
  const match = compose.match(new RegExp(`^\\s+${name}: (\\S+)$`, 'm'));
  if (!match) throw new Error(`${name} not in compose.yml`);
  return match[1];
}

describe('docker/compose.yml: the panel runs as a role that owns nothing', () => {
  it('gives the panel its own role on DATABASE_URL and the owner role only as DATABASE_OWNER_URL', () => {
    const superuser = envValue('POSTGRES_USER');
    const panel = new URL(envValue('DATABASE_URL').replace(/\$\{\w+\}/, 'x'));
    const owner = new URL(envValue('DATABASE_OWNER_URL').replace(/\$\{\w+\}/, 'x'));
    expect(panel.username).toBe('ozvps_panel');
    expect(owner.username).toBe('ozvps_owner');
    expect(new Set([superuser, panel.username, owner.username]).size).toBe(3);
    expect(panel.pathname).toBe('/ozvps_panel');
    expect(owner.pathname).toBe('/ozvps_panel');
  });

  it('creates both roles without superuser powers and hands the schema to the owner before the panel starts', () => {
    expect(compose).toMatch(
      /panel:[\s\S]*depends_on:\s+db-roles:\s+condition: service_completed_successfully/,
    );
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
