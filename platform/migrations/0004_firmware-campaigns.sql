-- Up Migration
-- Firmware campaigns: a release rolled out to a cohort in waves, each gated on real outcomes. The
-- campaign row is the state the worker's tick resumes from; its stations are planned once, at
-- creation, so the cohort does not shift under a running campaign; every transition is an event row.
CREATE TABLE firmware_campaigns (
  id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name                   text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  release_id             bigint NOT NULL REFERENCES firmware_releases (id),
  cohort                 jsonb NOT NULL,
  plan                   jsonb NOT NULL,
  status                 text NOT NULL CHECK (status IN ('running', 'paused', 'completed', 'cancelled')),
  pause_reason           text CHECK (pause_reason IN ('gate_failed', 'no_return', 'operator')),
  pause_detail           text,
  current_wave           integer NOT NULL DEFAULT 0 CHECK (current_wave >= 0),
  wave_count             integer NOT NULL CHECK (wave_count >= 0),
  -- The operator resumed after the current wave's gate failed: it counts as passed.
  gate_overridden        boolean NOT NULL DEFAULT false,
  -- Stations that did not come back after installing, already seen by the operator on resume.
  no_return_acknowledged integer NOT NULL DEFAULT 0,
  created_at             timestamptz NOT NULL DEFAULT now(),
  created_by             text NOT NULL,
  updated_at             timestamptz NOT NULL DEFAULT now(),
  finished_at            timestamptz
);
CREATE INDEX firmware_campaigns_status ON firmware_campaigns (status, id);

CREATE TABLE firmware_campaign_stations (
  campaign_id     bigint NOT NULL REFERENCES firmware_campaigns (id) ON DELETE CASCADE,
  station_id      text NOT NULL,
  wave            integer NOT NULL CHECK (wave >= 0),
  site            text,
  state           text NOT NULL CHECK (state IN ('pending', 'updating', 'verified', 'failed', 'cancelled')),
  -- Why a pending station was not sent its update at the last tick (offline, charging, …).
  deferred_reason text,
  update_id       bigint REFERENCES firmware_updates (id),
  dispatched_at   timestamptz,
  finished_at     timestamptz,
  failure_reason  text,
  PRIMARY KEY (campaign_id, station_id)
);
CREATE INDEX firmware_campaign_stations_wave ON firmware_campaign_stations (campaign_id, wave, state);
CREATE INDEX firmware_campaign_stations_station ON firmware_campaign_stations (station_id);

-- The campaign's story: creation, each wave, gates, pauses and resumes (with who), the end.
CREATE TABLE firmware_campaign_events (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  campaign_id bigint NOT NULL REFERENCES firmware_campaigns (id) ON DELETE CASCADE,
  at          timestamptz NOT NULL DEFAULT now(),
  kind        text NOT NULL,
  actor       text NOT NULL,
  detail      jsonb
);
CREATE INDEX firmware_campaign_events_campaign ON firmware_campaign_events (campaign_id, id);

ALTER TABLE firmware_updates ADD CONSTRAINT firmware_updates_campaign FOREIGN KEY (campaign_id) REFERENCES firmware_campaigns (id);
ALTER TABLE maintenance_periods ADD CONSTRAINT maintenance_periods_campaign FOREIGN KEY (campaign_id) REFERENCES firmware_campaigns (id);

-- Down Migration
ALTER TABLE maintenance_periods DROP CONSTRAINT maintenance_periods_campaign;
ALTER TABLE firmware_updates DROP CONSTRAINT firmware_updates_campaign;
DROP TABLE firmware_campaign_events;
DROP TABLE firmware_campaign_stations;
DROP TABLE firmware_campaigns;
