-- Up Migration
-- Analysts read business records through Grafana's PostgreSQL datasource with this role: SELECT on
-- every table of the schema, now and later, and nothing else. It cannot log in; a deployment grants it
-- to a login user of its own (docker-compose: provisioning/postgres/init). Roles belong to the whole
-- cluster, so it may already exist (another database of the same server, or the init script).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'chargewatch_analyst') THEN
    CREATE ROLE chargewatch_analyst NOLOGIN;
  END IF;
END
$$;
GRANT USAGE ON SCHEMA public TO chargewatch_analyst;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO chargewatch_analyst;
-- Tables later migrations create (as the same owner) are readable too.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO chargewatch_analyst;
-- The migration bookkeeping is not a business record.
REVOKE ALL ON pgmigrations FROM chargewatch_analyst;

-- Down Migration
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT ON TABLES FROM chargewatch_analyst;
REVOKE SELECT ON ALL TABLES IN SCHEMA public FROM chargewatch_analyst;
REVOKE USAGE ON SCHEMA public FROM chargewatch_analyst;
