-- Up Migration
-- Firmware: the catalogue of releases and the target release per vendor/model; station updates with
-- their timelines; what each station taught us (the update form it takes, the versions it booted);
-- maintenance periods (a station down for an update, which uptime reports exclude).
-- Limits follow OCPP: vendor and model as in BootNotification (20), version 50, location 512,
-- signing certificate 5500 (PEM), signature 800 (base64). Times are timestamptz; no floats.

CREATE TABLE firmware_releases (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  vendor              text NOT NULL CHECK (length(vendor) BETWEEN 1 AND 20),
  model               text NOT NULL CHECK (length(model) BETWEEN 1 AND 20),
  version             text NOT NULL CHECK (length(version) BETWEEN 1 AND 50),
  location            text NOT NULL CHECK (length(location) BETWEEN 1 AND 512),
  checksum            text CHECK (checksum ~ '^[0-9a-f]{64}$'),
  signing_certificate text CHECK (length(signing_certificate) <= 5500),
  signature           text CHECK (length(signature) <= 800),
  release_notes       text CHECK (length(release_notes) <= 10000),
  min_prior_version   text CHECK (length(min_prior_version) <= 50),
  version_match       jsonb NOT NULL DEFAULT '{"mode":"exact"}',
  created_at          timestamptz NOT NULL DEFAULT now(),
  created_by          text NOT NULL,
  CHECK ((signing_certificate IS NULL) = (signature IS NULL)),
  UNIQUE (vendor, model, version),
  -- The target of a vendor/model names a release of that vendor/model (composite key below).
  UNIQUE (id, vendor, model)
);

-- The release every station of a vendor/model should run.
CREATE TABLE firmware_targets (
  vendor     text NOT NULL,
  model      text NOT NULL,
  release_id bigint NOT NULL,
  set_at     timestamptz NOT NULL DEFAULT now(),
  set_by     text NOT NULL,
  PRIMARY KEY (vendor, model),
  FOREIGN KEY (release_id, vendor, model) REFERENCES firmware_releases (id, vendor, model)
);
CREATE INDEX firmware_targets_release ON firmware_targets (release_id);

-- One station update. campaign_id names a campaign (0004 adds its foreign key); request_id is what the
-- station echoes in its statuses (1.6 signed, 2.0.1; NULL for 1.6 UpdateFirmware); last_event is the
-- journal event key last applied, so a replayed entry changes nothing.
CREATE TABLE firmware_updates (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  station_id       text NOT NULL,
  release_id       bigint NOT NULL REFERENCES firmware_releases (id),
  campaign_id      bigint,
  command_id       text,
  request_id       integer CHECK (request_id > 0),
  protocol         text,
  form             text NOT NULL CHECK (form IN ('plain', 'signed')),
  state            text NOT NULL CHECK (state IN ('requested', 'accepted', 'downloading', 'downloaded', 'installing', 'installed', 'verified', 'failed', 'cancelled')),
  failure_reason   text CHECK (failure_reason IN ('DownloadFailed', 'InvalidSignature', 'InstallVerificationFailed', 'InstallationFailed', 'rejected', 'not_supported', 'command_failed', 'stage_timeout', 'no_return', 'old_version', 'superseded')),
  from_version     text,
  reported_version text,
  requested_at     timestamptz NOT NULL,
  requested_by     text NOT NULL,
  retrieve_at      timestamptz,
  install_at       timestamptz,
  stage            text CHECK (stage IN ('scheduled', 'downloading', 'downloaded', 'verified-signature', 'installing', 'rebooting', 'installed', 'failed', 'idle')),
  stage_at         timestamptz NOT NULL,
  finished_at      timestamptz,
  timeline         jsonb NOT NULL DEFAULT '[]',
  last_event       text,
  CHECK ((state = 'failed') = (failure_reason IS NOT NULL)),
  CHECK ((state IN ('verified', 'failed', 'cancelled')) = (finished_at IS NOT NULL))
);
-- At most one open update per station.
CREATE UNIQUE INDEX firmware_updates_open_station ON firmware_updates (station_id) WHERE finished_at IS NULL;
-- A station's updates, newest first; a campaign's updates; open updates by stage age (timeouts).
CREATE INDEX firmware_updates_station ON firmware_updates (station_id, requested_at DESC);
CREATE INDEX firmware_updates_campaign ON firmware_updates (campaign_id) WHERE campaign_id IS NOT NULL;
CREATE INDEX firmware_updates_open_stage ON firmware_updates (stage_at) WHERE finished_at IS NULL;
CREATE INDEX firmware_updates_release ON firmware_updates (release_id);

-- The update form a station takes, learned from its answers (a 1.6 NotSupported to plain UpdateFirmware).
CREATE TABLE station_firmware_forms (
  station_id text PRIMARY KEY,
  form       text NOT NULL CHECK (form IN ('plain', 'signed')),
  learned_at timestamptz NOT NULL,
  reason     text
);

-- The versions a station booted with, one row each time the version changed.
CREATE TABLE station_firmware_versions (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  station_id text NOT NULL,
  vendor     text NOT NULL,
  model      text NOT NULL,
  version    text NOT NULL,
  booted_at  timestamptz NOT NULL,
  UNIQUE (station_id, booted_at)
);

-- A station out of service for maintenance (a firmware install): open while ended_at is NULL.
CREATE TABLE maintenance_periods (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  station_id  text NOT NULL,
  started_at  timestamptz NOT NULL,
  ended_at    timestamptz,
  reason      text NOT NULL,
  update_id   bigint REFERENCES firmware_updates (id) ON DELETE SET NULL,
  campaign_id bigint,
  CHECK (ended_at IS NULL OR ended_at >= started_at)
);
CREATE UNIQUE INDEX maintenance_periods_open_station ON maintenance_periods (station_id) WHERE ended_at IS NULL;
CREATE INDEX maintenance_periods_station ON maintenance_periods (station_id, started_at DESC);
CREATE INDEX maintenance_periods_started ON maintenance_periods (started_at DESC);

-- Down Migration
DROP TABLE maintenance_periods;
DROP TABLE station_firmware_versions;
DROP TABLE station_firmware_forms;
DROP TABLE firmware_updates;
DROP TABLE firmware_targets;
DROP TABLE firmware_releases;
