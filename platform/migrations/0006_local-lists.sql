-- Up Migration
-- Local authorization lists: one row per station, the list it last accepted and where its sync stands
-- (model/src/local-list.ts, local-list-sync.ts; platform/src/local-lists). `entries` is the list as the
-- station holds it after its last Accepted request, so a Differential can be computed from it and the
-- list rebuilt from it: each entry names its registry token (`tokenId`) and carries the id sent
-- (`idToken`), status, expiry, group and EVSEs. Token ids are operator data, like the tokens table; the
-- analyst role does not read them. KeyCode PINs are never stored here (lists carry no PINs yet).

CREATE TABLE local_lists (
  station_id        text PRIMARY KEY CHECK (length(station_id) BETWEEN 1 AND 200),
  protocol          text CHECK (protocol IN ('ocpp1.6', 'ocpp2.0.1')),
  state             text NOT NULL DEFAULT 'pending' CHECK (state IN ('in_sync', 'pending', 'failed', 'unsupported')),
  -- The version of the last Accepted request; NULL: never synced.
  version           integer CHECK (version >= 0),
  entries           jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(entries) = 'array'),
  entry_count       integer NOT NULL DEFAULT 0 CHECK (entry_count >= 0),
  -- The next sync sends a Full (never synced, VersionMismatch, Failed, an uncertain outcome, drift).
  needs_full        boolean NOT NULL DEFAULT true,
  failures          integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
  last_error        text CHECK (length(last_error) <= 1000),
  last_outcome      text,
  -- Tokens left out of the desired list at the last sync, by reason (counts only).
  skipped           jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(skipped) = 'object'),
  -- Learned from the station: 1.6 LocalAuthListMaxLength / 2.0.1 LocalAuthListCtrlr.Entries (capacity),
  -- 1.6 SendLocalListMaxLength / 2.0.1 ItemsPerMessage, 2.0.1 BytesPerMessage. NULL: unknown.
  max_entries       integer CHECK (max_entries >= 0),
  items_per_message integer CHECK (items_per_message >= 1),
  bytes_per_message integer CHECK (bytes_per_message >= 1),
  limits_learned_at timestamptz,
  -- A sync was asked for (token change, boot, operator) at this time; the worker compares it with
  -- last_attempt_at, so a request that arrives during a sync is not lost.
  requested_at      timestamptz,
  requested_full    boolean NOT NULL DEFAULT false,
  last_attempt_at   timestamptz,
  last_sync_at      timestamptz,
  last_check_at     timestamptz,
  next_due_at       timestamptz,
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX local_lists_state ON local_lists (state, station_id);
CREATE INDEX local_lists_next_due ON local_lists (next_due_at);
-- Which stations hold a token (a changed or deleted token is resynced where it is listed).
CREATE INDEX local_lists_entries ON local_lists USING gin (entries jsonb_path_ops);

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'chargewatch_analyst') THEN
    REVOKE SELECT ON local_lists FROM chargewatch_analyst;
    GRANT SELECT (station_id, protocol, state, version, entry_count, needs_full, failures, last_outcome, skipped, max_entries,
                  items_per_message, bytes_per_message, limits_learned_at, last_attempt_at, last_sync_at, last_check_at, next_due_at, updated_at)
      ON local_lists TO chargewatch_analyst;
  END IF;
END
$$;

-- Down Migration
DROP TABLE local_lists;
