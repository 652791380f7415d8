-- Up Migration
-- Misuse incidents (model/src/misuse.ts; the worker's journal consumer `misuse` writes them). Raw token
-- ids never reach this database: `token_masked` is what is shown, `token_hash` a keyed hash of the
-- normalised id that correlates incidents of one card (no hash for PINs). `dedupe_key` is the rule's
-- subject and the journal event that opened the incident, so a replayed entry finds the same row.

CREATE TABLE misuse_incidents (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  dedupe_key   text NOT NULL UNIQUE,
  subject      text NOT NULL,
  rule         text NOT NULL CHECK (rule IN ('unknown_token_burst', 'blocked_token_retry', 'pin_guessing', 'concurrent_sessions', 'impossible_travel', 'outside_allowed_hours', 'idle_bay', 'local_list_conflict', 'security_event')),
  severity     text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  station_id   text,
  site         text,
  token_masked text CHECK (length(token_masked) <= 40),
  token_type   text CHECK (length(token_type) <= 20),
  token_hash   text CHECK (token_hash ~ '^[0-9a-f]{32}$'),
  summary      text NOT NULL CHECK (length(summary) <= 500),
  first_seen   timestamptz NOT NULL,
  last_seen    timestamptz NOT NULL,
  count        integer NOT NULL DEFAULT 1 CHECK (count >= 1),
  -- The events, token ids masked: the opening ones and the latest (bounded by the writer).
  evidence     jsonb NOT NULL DEFAULT '[]',
  status       text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'resolved')),
  acknowledged_by text,
  acknowledged_at timestamptz,
  resolved_by  text,
  resolved_at  timestamptz,
  resolution   text CHECK (length(resolution) <= 1000),
  -- What the detector did about it: {"action":"keycode_lockout","until":…} or {"action":"block_token","result":…}.
  response     jsonb,
  created_at   timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'resolved') = (resolved_at IS NOT NULL))
);
CREATE INDEX misuse_incidents_recent ON misuse_incidents (last_seen DESC, id DESC);
CREATE INDEX misuse_incidents_station ON misuse_incidents (station_id, last_seen DESC);
CREATE INDEX misuse_incidents_open ON misuse_incidents (rule, severity) WHERE status = 'open';
CREATE INDEX misuse_incidents_token ON misuse_incidents (token_hash) WHERE token_hash IS NOT NULL;

-- Every journal event that made a finding, once per subject: a replay of it finds its row and changes
-- nothing (counts stay exact however often an entry is redelivered).
CREATE TABLE misuse_incident_events (
  subject     text NOT NULL,
  event_key   text NOT NULL,
  incident_id bigint NOT NULL REFERENCES misuse_incidents (id) ON DELETE CASCADE,
  PRIMARY KEY (subject, event_key)
);
CREATE INDEX misuse_incident_events_incident ON misuse_incident_events (incident_id);

-- Down Migration
DROP TABLE misuse_incident_events;
DROP TABLE misuse_incidents;
