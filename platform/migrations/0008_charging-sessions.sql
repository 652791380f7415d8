-- Up Migration
-- Charging sessions (model/src/sessions.ts; the worker's journal consumer `sessions` writes them): one
-- row per transaction of a station, built from the journal's transaction and meter events in whatever
-- order they arrive, so a replayed or late entry fills in the same row. Like incidents, no raw token id
-- is stored: `token_ref` is the registry token the collectors matched (their token cache), otherwise
-- only the masked id, its type and the keyed hash that also correlates incidents (none for PINs).
-- Energy is kept in Wh as numeric (registers may come in kWh with decimals), never as binary floats:
-- billing prices these figures.

CREATE TABLE charging_sessions (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  station_id      text NOT NULL CHECK (length(station_id) BETWEEN 1 AND 100),
  transaction_id  text NOT NULL CHECK (length(transaction_id) BETWEEN 1 AND 64),
  evse_id         integer CHECK (evse_id >= 0),
  connector_id    integer CHECK (connector_id >= 0),
  site            text CHECK (length(site) <= 200),
  token_ref       bigint REFERENCES tokens (id) ON DELETE SET NULL,
  -- The token's account when the session was recorded: a later move of the token does not re-bill it.
  account_id      bigint REFERENCES accounts (id) ON DELETE SET NULL,
  token_type      text CHECK (length(token_type) <= 20),
  token_masked    text CHECK (length(token_masked) <= 40),
  token_hash      text CHECK (token_hash ~ '^[0-9a-f]{32}$'),
  started_at      timestamptz,
  ended_at        timestamptz,
  meter_start_wh  numeric(18, 3),
  meter_stop_wh   numeric(18, 3),
  -- Lowest and highest import register read during the session (meter values naming it).
  first_meter_wh  numeric(18, 3),
  last_meter_wh   numeric(18, 3),
  stopped_reason  text CHECK (length(stopped_reason) <= 64),
  closed_by       text CHECK (closed_by IN ('station', 'collector')),
  -- The station reported part of it while offline.
  offline         boolean NOT NULL DEFAULT false,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (station_id, transaction_id)
);
CREATE INDEX charging_sessions_token ON charging_sessions (token_ref, started_at DESC NULLS LAST, id DESC) WHERE token_ref IS NOT NULL;
CREATE INDEX charging_sessions_token_hash ON charging_sessions (token_hash, started_at DESC NULLS LAST) WHERE token_hash IS NOT NULL;
CREATE INDEX charging_sessions_account ON charging_sessions (account_id, started_at DESC NULLS LAST) WHERE account_id IS NOT NULL;
CREATE INDEX charging_sessions_station ON charging_sessions (station_id, started_at DESC NULLS LAST);
CREATE INDEX charging_sessions_recent ON charging_sessions (started_at DESC NULLS LAST, id DESC);
CREATE INDEX charging_sessions_open ON charging_sessions (station_id) WHERE ended_at IS NULL;

-- Down Migration
DROP TABLE charging_sessions;
