-- Run by the `db-roles` service in compose.yml on every `up`, as the cluster's superuser, before
-- the panel starts. Idempotent: creates the owner role (ozvps_owner: owns the schema, runs the
-- migrations) and the panel role (ozvps_panel: owns nothing; the panel grants it INSERT and SELECT
-- only on the ledger after each migrate), and hands the database and everything in its `public`
-- schema to the owner role, which upgrades a volume made before the split in place. Passwords
-- come in as psql variables (never on a command line, never echoed) and are never changed.
\set ON_ERROR_STOP on
SELECT format('CREATE ROLE ozvps_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', :'owner_pw')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ozvps_owner') \gexec
SELECT format('CREATE ROLE ozvps_panel LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', :'panel_pw')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ozvps_panel') \gexec

BEGIN;
ALTER DATABASE ozvps_panel OWNER TO ozvps_owner;
ALTER SCHEMA public OWNER TO ozvps_owner;
DO $$
DECLARE
  owner_oid oid := (SELECT oid FROM pg_roles WHERE rolname = 'ozvps_owner');
  r record;
BEGIN
  -- Tables first: their identity sequences and indexes follow them.
  FOR r IN SELECT c.oid::regclass AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relowner <> owner_oid
  LOOP
    EXECUTE format('ALTER TABLE %s OWNER TO ozvps_owner', r.name);
  END LOOP;
  FOR r IN SELECT c.oid::regclass AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind = 'S' AND c.relowner <> owner_oid
  LOOP
    EXECUTE format('ALTER SEQUENCE %s OWNER TO ozvps_owner', r.name);
  END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = 'public' AND p.proowner <> owner_oid
  LOOP
    EXECUTE format('ALTER FUNCTION %s OWNER TO ozvps_owner', r.name);
  END LOOP;
END $$;
COMMIT;
