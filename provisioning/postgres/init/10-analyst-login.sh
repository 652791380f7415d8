#!/bin/sh
# Runs once, when the postgres container initialises an empty data directory. Creates the login Grafana's
# PostgreSQL datasource uses and makes it a member of chargewatch_analyst, the read-only role the
# collector's migration 0002 grants SELECT on the business records to (the migration creates the role
# only when missing, so creating it here first is fine). Never a superuser, never a writer.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  --set analyst_password="$POSTGRES_ANALYST_PASSWORD" <<'SQL'
-- The data directory is empty when this runs, so the role cannot exist yet.
CREATE ROLE chargewatch_analyst NOLOGIN;
CREATE ROLE grafana_analyst LOGIN PASSWORD :'analyst_password' IN ROLE chargewatch_analyst;
ALTER ROLE grafana_analyst SET default_transaction_read_only = on;
SQL
