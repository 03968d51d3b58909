import { pgEnvironment } from './backup.service';

describe('pgEnvironment (how pg_dump is pointed at the database)', () => {
  it('splits a postgres:// URL into libpq variables, the password decoded and only in PGPASSWORD', () => {
    const env = pgEnvironment(
      'postgresql://ozvps_owner:p%40ss%2Fw0rd@db.example.com:6432/ozvps_panel?sslmode=require',
    );
    expect(env).toMatchObject({
      PGHOST: 'db.example.com',
      PGPORT: '6432',
      PGUSER: 'ozvps_owner',
      PGDATABASE: 'ozvps_panel',
      PGPASSWORD: 'p@ss/w0rd',
      PGSSLMODE: 'require',
    });
  });

  it('takes a socket directory from ?host=, an IPv6 address without brackets, and port 5432 by default', () => {
    expect(pgEnvironment('postgres://o@localhost/ozvps?host=/var/run/postgresql')).toMatchObject({
      PGHOST: '/var/run/postgresql',
      PGPORT: '5432',
      PGDATABASE: 'ozvps',
    });
    expect(pgEnvironment('postgres://o:x@[::1]:5433/ozvps').PGHOST).toBe('::1');
    expect(pgEnvironment('postgres://o@127.0.0.1/ozvps').PGPASSWORD).toBeUndefined();
    expect(() => pgEnvironment('postgres://o:s3cret@/ozvps')).toThrow(
      expect.objectContaining({ code: 'backup_failed', message: expect.not.stringContaining('s3cret') }),
    );
  });

  it('drops every PG* variable of its own environment, so none can point pg_dump elsewhere', () => {
    process.env.PGSERVICE = 'elsewhere';
    process.env.PGPASSFILE = '/tmp/other-passfile';
    try {
      const env = pgEnvironment('postgres://o:x@127.0.0.1/ozvps');
      expect(env.PGSERVICE).toBeUndefined();
      expect(env.PGPASSFILE).toBeUndefined();
      expect(env.PATH).toBe(process.env.PATH);
    } finally {
      delete process.env.PGSERVICE;
      delete process.env.PGPASSFILE;
    }
  });
});
