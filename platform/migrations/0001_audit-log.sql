-- Up Migration
-- The audit log: every command sent to a station and every change made through the API. Rows are
-- only ever inserted; details never hold secrets (the writer redacts them before they get here).
CREATE TABLE audit_log (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at          timestamptz NOT NULL,
  actor_kind  text NOT NULL CHECK (actor_kind IN ('grafana-user', 'api-token', 'system')),
  actor_name  text NOT NULL,
  actor_role  text NOT NULL,
  action      text NOT NULL,
  target      text,
  details     jsonb,
  result      text NOT NULL,
  latency_ms  integer CHECK (latency_ms >= 0)
);
-- The API's questions: newest first, by station, by actor, within a period.
CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_target_at ON audit_log (target, at DESC);
CREATE INDEX audit_log_actor_at ON audit_log (actor_name, at DESC);

-- Down Migration
DROP TABLE audit_log;
