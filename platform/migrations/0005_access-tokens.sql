-- Up Migration
-- Access control: accounts (a person or a fleet) and the tokens that may charge. Token types, statuses
-- and limits follow model/src/access.ts: ids at most 36 characters (OCPP 2.0.1), ISO 14443 / 15693 UIDs
-- and MAC addresses stored as upper-case hex, other ids exactly as given. A KeyCode token (a PIN) has
-- no uid: only an HMAC-SHA256 of the PIN under a server secret (checkable, not readable) and, only when
-- the operator sends PINs in local lists, the PIN sealed with AES-256-GCM. Money is never stored here.

CREATE TABLE accounts (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind              text NOT NULL CHECK (kind IN ('person', 'fleet')),
  name              text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  contact           text CHECK (length(contact) <= 500),
  billing_reference text CHECK (length(billing_reference) <= 100),
  currency          text CHECK (currency ~ '^[A-Z]{3}$'),
  note              text CHECK (length(note) <= 2000),
  created_at        timestamptz NOT NULL DEFAULT now(),
  created_by        text NOT NULL,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  updated_by        text NOT NULL
);
CREATE INDEX accounts_name ON accounts (lower(name));

CREATE TABLE tokens (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  type              text NOT NULL CHECK (type IN ('Central', 'eMAID', 'ISO14443', 'ISO15693', 'KeyCode', 'Local', 'MacAddress', 'NoAuthorization')),
  uid               text CHECK (length(uid) <= 36),
  -- hex HMAC-SHA256 of the PIN (KeyCode only); `v1.<iv>.<tag>.<ciphertext>` base64url (AES-256-GCM).
  pin_hash          text CHECK (pin_hash ~ '^[0-9a-f]{64}$'),
  pin_sealed        text CHECK (length(pin_sealed) <= 200),
  ocpi_type         text NOT NULL CHECK (ocpi_type IN ('AD_HOC_USER', 'APP_USER', 'OTHER', 'RFID')),
  status            text NOT NULL DEFAULT 'Accepted' CHECK (status IN ('Accepted', 'Blocked', 'Expired')),
  valid_until       timestamptz,
  -- 1.6 parentIdTag / 2.0.1 groupIdToken.
  group_id          text CHECK (length(group_id) BETWEEN 1 AND 36),
  account_id        bigint REFERENCES accounts (id),
  -- Open transactions at once; NULL: no limit, 0: no start at all.
  max_concurrent_tx integer CHECK (max_concurrent_tx >= 0),
  allowed_sites     text[] NOT NULL DEFAULT '{}',
  allowed_stations  text[] NOT NULL DEFAULT '{}',
  -- `<stationId>/<evseId>`; station identities hold no `/`.
  allowed_evses     text[] NOT NULL DEFAULT '{}',
  -- Weekly windows in the site's time zone: [{"days":[1,2],"start":"07:00","end":"19:00"}]; [] = always.
  allowed_hours     jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(allowed_hours) = 'array'),
  note              text CHECK (length(note) <= 2000),
  created_at        timestamptz NOT NULL DEFAULT now(),
  created_by        text NOT NULL,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  updated_by        text NOT NULL,
  CHECK ((type = 'KeyCode') = (uid IS NULL)),
  CHECK ((type = 'KeyCode') = (pin_hash IS NOT NULL)),
  CHECK (pin_sealed IS NULL OR type = 'KeyCode'),
  CHECK (type = 'NoAuthorization' OR uid IS NULL OR length(uid) >= 1),
  CHECK (type NOT IN ('ISO14443', 'ISO15693', 'MacAddress') OR uid ~ '^([0-9A-F]{2})+$')
);
-- Ids are case-insensitive in OCPP (1.6 CiString, 2.0.1 identifierString): one token per type and id
-- whatever the spelling; the (type, uid) look-up uses the same expression.
CREATE UNIQUE INDEX tokens_type_uid ON tokens (type, upper(uid)) WHERE uid IS NOT NULL;
-- One token per PIN.
CREATE UNIQUE INDEX tokens_pin ON tokens (pin_hash) WHERE pin_hash IS NOT NULL;
CREATE INDEX tokens_account ON tokens (account_id) WHERE account_id IS NOT NULL;
CREATE INDEX tokens_group ON tokens (group_id) WHERE group_id IS NOT NULL;
-- Most tokens are Accepted: the index holds the others (lists of blocked or expired tokens).
CREATE INDEX tokens_status ON tokens (status) WHERE status <> 'Accepted';
-- Changed since (cache reloads, local-list sync).
CREATE INDEX tokens_updated_at ON tokens (updated_at, id);
-- Tokens limited to a site or station (local lists per station).
CREATE INDEX tokens_allowed_sites ON tokens USING gin (allowed_sites);
CREATE INDEX tokens_allowed_stations ON tokens USING gin (allowed_stations);
CREATE INDEX tokens_note_search ON tokens USING gin (to_tsvector('simple', coalesce(note, '')));

-- Analysts (0002) read business records, not personal data or secrets: no token ids, PIN hashes or
-- sealed PINs, no contact details. Column privileges replace the table-wide default grant.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'chargewatch_analyst') THEN
    REVOKE SELECT ON tokens, accounts FROM chargewatch_analyst;
    GRANT SELECT (id, type, ocpi_type, status, valid_until, group_id, account_id, max_concurrent_tx, allowed_sites,
                  allowed_stations, allowed_evses, allowed_hours, created_at, created_by, updated_at, updated_by)
      ON tokens TO chargewatch_analyst;
    GRANT SELECT (id, kind, name, billing_reference, currency, created_at, created_by, updated_at, updated_by)
      ON accounts TO chargewatch_analyst;
  END IF;
END
$$;

-- Down Migration
DROP TABLE tokens;
DROP TABLE accounts;
