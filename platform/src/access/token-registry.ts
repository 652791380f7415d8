/**
 * The token registry in PostgreSQL (migration 0005). Tokens are validated (token-validation.ts) before
 * they are stored; PINs are stored only as their keyed hash, and sealed only when local lists carry
 * them (pin.ts). Every committed write is announced to the collectors' token caches (`notify`, Redis
 * pub/sub in production), so a change takes effect everywhere within a second. An import checks every
 * row — fields, duplicates within the file, accounts — before it writes any, and writes all in one
 * transaction.
 */
import type { Pool, PoolClient } from 'pg';
import type { Actor, TokenStatus, TokenType } from '@chargewatch/model';
import { parseId } from '../firmware/firmware-catalogue';
import { openPin, pinHash, sealPin, type PinKeys } from './pin';
import { validateNewToken, validateTokenPatch, type NewToken, type TokenPatch } from './token-validation';
import type { ImportRow } from './token-csv';
import { COLUMNS, toCacheToken, toRecord, type CacheToken, type Row, type TokenRecord } from './token-rows';

export type { CacheToken, TokenRecord } from './token-rows';

/** A token as local-list sync reads it (model desiredLocalList): the PIN opened only when local lists carry PINs. */
export interface LocalListToken extends Pick<TokenRecord, 'id' | 'type' | 'uid' | 'status' | 'validUntil' | 'groupId' | 'allowedSites' | 'allowedStations' | 'allowedEvses' | 'allowedHours'> {
  pin?: string;
}

export interface TokenQuery {
  /** Start of the uid (any case) or words of the note. */
  q?: string;
  type?: TokenType;
  status?: TokenStatus;
  accountId?: string;
  groupId?: string;
  /** Tokens that may charge at this site / station (unrestricted ones included). */
  site?: string;
  station?: string;
  limit?: number;
  offset?: number;
}

export class TokenRegistryError extends Error {
  constructor(
    readonly code: 'invalid' | 'duplicate' | 'not_found' | 'unknown_account',
    message: string,
    /** For imports: each bad row and why. */
    readonly rows?: Array<{ row: number; errors: string[] }>,
  ) {
    super(message);
    this.name = 'TokenRegistryError';
  }
}

export interface TokenRegistryOptions {
  /** hashSecret empty: KeyCode tokens are refused. */
  pins: PinKeys;
  /** Seal PINs so local lists can carry them (needs pins.sealKey). */
  sealPins?: boolean;
  /** Told the ids of every committed change (`'*'`: too many to list; reload all). */
  notify?: (ids: string[] | '*') => Promise<void>;
}

const pgCode = (err: unknown) => (err as { code?: string }).code;
const likePrefix = (q: string) => `${q.toUpperCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
/** Rows per INSERT of an import. */
const IMPORT_BATCH = 1000;

export class TokenRegistry {
  constructor(
    private readonly pool: Pool,
    private readonly o: TokenRegistryOptions,
  ) {
    if (o.sealPins && !o.pins.sealKey) throw new Error('sealing PINs for local lists needs a seal key (ACCESS_PIN_KEY)');
  }

  private async announce(ids: string[] | '*'): Promise<void> {
    if (ids !== '*' && ids.length === 0) return;
    // A lost announcement is healed by the caches' periodic reload; it never undoes a committed write.
    await this.o.notify?.(ids).catch(() => undefined);
  }

  /** The PIN's keyed hash; refused when no secret is configured (an unkeyed hash of a PIN is guessable). */
  private hashPin(pin: string): string {
    if (this.o.pins.hashSecret.length < 32) throw new TokenRegistryError('invalid', 'KeyCode tokens need a PIN secret (ACCESS_PIN_SECRET)');
    return pinHash(pin, this.o.pins.hashSecret);
  }

  private pinColumns(pin: string | undefined): { hash: string | null; sealed: string | null } {
    if (pin === undefined) return { hash: null, sealed: null };
    return { hash: this.hashPin(pin), sealed: this.o.sealPins ? sealPin(pin, this.o.pins.sealKey!) : null };
  }

  async create(input: unknown, actor: Actor): Promise<TokenRecord> {
    const c = validateNewToken(input);
    if (!c.ok) throw new TokenRegistryError('invalid', c.errors.join('; '));
    const [record] = await this.insert(this.pool, [c.value], actor, 'create');
    await this.announce([record!.id]);
    return record!;
  }

  /** Inserts (create) or inserts-or-updates by (type, uid) / PIN (upsert) in batches; returns the rows. */
  private async insert(db: Pool | PoolClient, tokens: NewToken[], actor: Actor, mode: 'create' | 'upsert'): Promise<TokenRecord[]> {
    const out: TokenRecord[] = [];
    for (const keyCode of [false, true]) {
      const subset = tokens.filter((t) => (t.type === 'KeyCode') === keyCode);
      for (let i = 0; i < subset.length; i += IMPORT_BATCH) {
        const batch = subset.slice(i, i + IMPORT_BATCH).map((t) => {
          const pin = this.pinColumns(t.pin);
          return {
            type: t.type,
            uid: t.uid ?? null,
            pin_hash: pin.hash,
            pin_sealed: pin.sealed,
            ocpi_type: t.ocpiType,
            status: t.status,
            valid_until: t.validUntil?.toISOString() ?? null,
            group_id: t.groupId ?? null,
            account_id: t.accountId ?? null,
            max_concurrent_tx: t.maxConcurrentTx ?? null,
            allowed_sites: t.allowedSites,
            allowed_stations: t.allowedStations,
            allowed_evses: t.allowedEvses,
            allowed_hours: t.allowedHours,
            note: t.note ?? null,
          };
        });
        const conflict = keyCode ? 'ON CONFLICT (pin_hash) WHERE pin_hash IS NOT NULL' : 'ON CONFLICT (type, upper(uid)) WHERE uid IS NOT NULL';
        const onConflict =
          mode === 'create'
            ? ''
            : `${conflict} DO UPDATE SET ocpi_type = EXCLUDED.ocpi_type, status = EXCLUDED.status, valid_until = EXCLUDED.valid_until,
                group_id = EXCLUDED.group_id, account_id = EXCLUDED.account_id, max_concurrent_tx = EXCLUDED.max_concurrent_tx,
                allowed_sites = EXCLUDED.allowed_sites, allowed_stations = EXCLUDED.allowed_stations, allowed_evses = EXCLUDED.allowed_evses,
                allowed_hours = EXCLUDED.allowed_hours, note = EXCLUDED.note, pin_sealed = EXCLUDED.pin_sealed,
                updated_at = now(), updated_by = EXCLUDED.updated_by`;
        try {
          const { rows } = await db.query<Row>(
            `INSERT INTO tokens (type, uid, pin_hash, pin_sealed, ocpi_type, status, valid_until, group_id, account_id, max_concurrent_tx,
               allowed_sites, allowed_stations, allowed_evses, allowed_hours, note, created_by, updated_by)
             SELECT type, uid, pin_hash, pin_sealed, ocpi_type, status, valid_until, group_id, account_id, max_concurrent_tx,
               allowed_sites, allowed_stations, allowed_evses, allowed_hours, note, $2, $2
             FROM jsonb_to_recordset($1::jsonb) AS x(type text, uid text, pin_hash text, pin_sealed text, ocpi_type text, status text,
               valid_until timestamptz, group_id text, account_id bigint, max_concurrent_tx integer, allowed_sites text[],
               allowed_stations text[], allowed_evses text[], allowed_hours jsonb, note text)
             ${onConflict}
             RETURNING ${COLUMNS}`,
            [JSON.stringify(batch), actor.name],
          );
          out.push(...rows.map(toRecord));
        } catch (err) {
          if (pgCode(err) === '23505') throw new TokenRegistryError('duplicate', keyCode ? 'a token with this PIN exists already' : 'a token of this type and uid exists already');
          if (pgCode(err) === '23503') throw new TokenRegistryError('unknown_account', 'accountId names no account');
          throw err;
        }
      }
    }
    return out;
  }

  async get(id: string): Promise<TokenRecord | undefined> {
    if (!parseId(id)) return undefined;
    const { rows } = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM tokens WHERE id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  /** By type and id as a station presents it (normalised the same way; KeyCode: the PIN). */
  async find(type: TokenType, presented: string): Promise<TokenRecord | undefined> {
    const { rows } =
      type === 'KeyCode'
        ? await this.pool.query<Row>(`SELECT ${COLUMNS} FROM tokens WHERE pin_hash = $1`, [this.hashPin(presented)])
        : await this.pool.query<Row>(`SELECT ${COLUMNS} FROM tokens WHERE type = $1 AND upper(uid) = upper($2)`, [type, presented]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async update(id: string, input: unknown, actor: Actor): Promise<TokenRecord> {
    const current = await this.get(id);
    if (!current) throw new TokenRegistryError('not_found', `no token ${id}`);
    const c = validateTokenPatch(input, current.type);
    if (!c.ok) throw new TokenRegistryError('invalid', c.errors.join('; '));
    const record = await this.patch(id, c.value, actor);
    await this.announce([id]);
    return record;
  }

  private async patch(id: string, p: TokenPatch, actor: Actor): Promise<TokenRecord> {
    const sets: string[] = [];
    const values: unknown[] = [id, actor.name];
    const set = (column: string, value: unknown, cast = '') => {
      values.push(value);
      sets.push(`${column} = $${values.length}${cast}`);
    };
    if (p.pin !== undefined) {
      const pin = this.pinColumns(p.pin);
      set('pin_hash', pin.hash);
      set('pin_sealed', pin.sealed);
    }
    if (p.ocpiType !== undefined) set('ocpi_type', p.ocpiType);
    if (p.status !== undefined) set('status', p.status);
    if (p.validUntil !== undefined) set('valid_until', p.validUntil);
    if (p.groupId !== undefined) set('group_id', p.groupId);
    if (p.accountId !== undefined) set('account_id', p.accountId);
    if (p.maxConcurrentTx !== undefined) set('max_concurrent_tx', p.maxConcurrentTx);
    if (p.allowedSites !== undefined) set('allowed_sites', p.allowedSites);
    if (p.allowedStations !== undefined) set('allowed_stations', p.allowedStations);
    if (p.allowedEvses !== undefined) set('allowed_evses', p.allowedEvses);
    if (p.allowedHours !== undefined) set('allowed_hours', JSON.stringify(p.allowedHours), '::jsonb');
    if (p.note !== undefined) set('note', p.note);
    try {
      const { rows } = await this.pool.query<Row>(`UPDATE tokens SET ${[...sets, 'updated_at = now()', 'updated_by = $2'].join(', ')} WHERE id = $1 RETURNING ${COLUMNS}`, values);
      if (!rows[0]) throw new TokenRegistryError('not_found', `no token ${id}`);
      return toRecord(rows[0]);
    } catch (err) {
      if (pgCode(err) === '23505') throw new TokenRegistryError('duplicate', 'a token with this PIN exists already');
      if (pgCode(err) === '23503') throw new TokenRegistryError('unknown_account', 'accountId names no account');
      throw err;
    }
  }

  /** Blocks a token (misuse detection, an operator); `reason` is for the caller's audit entry. Idempotent. */
  async block(id: string, actor: Actor): Promise<TokenRecord> {
    return this.setStatus(id, 'Blocked', actor);
  }

  async unblock(id: string, actor: Actor): Promise<TokenRecord> {
    return this.setStatus(id, 'Accepted', actor);
  }

  private async setStatus(id: string, status: TokenStatus, actor: Actor): Promise<TokenRecord> {
    if (!parseId(id)) throw new TokenRegistryError('not_found', `no token ${id}`);
    const record = await this.patch(id, { status }, actor);
    await this.announce([id]);
    return record;
  }

  async delete(id: string): Promise<boolean> {
    if (!parseId(id)) return false;
    const { rowCount } = await this.pool.query('DELETE FROM tokens WHERE id = $1', [id]);
    if (rowCount) await this.announce([id]);
    return (rowCount ?? 0) > 0;
  }

  async list(q: TokenQuery = {}): Promise<{ total: number; items: TokenRecord[] }> {
    const where: string[] = [];
    const values: unknown[] = [];
    const add = (sql: (p: string) => string, value: unknown) => {
      values.push(value);
      where.push(sql(`$${values.length}`));
    };
    if (q.q) add((p) => `(upper(uid) LIKE ${p} OR to_tsvector('simple', coalesce(note, '')) @@ plainto_tsquery('simple', $${values.length + 1}))`, likePrefix(q.q)), values.push(q.q);
    if (q.type) add((p) => `type = ${p}`, q.type);
    if (q.status) add((p) => `status = ${p}`, q.status);
    if (q.accountId) add((p) => `account_id = ${p}`, parseId(q.accountId) ?? '0');
    if (q.groupId) add((p) => `group_id = ${p}`, q.groupId);
    if (q.station || q.site) {
      values.push(q.station ?? null, q.site ?? null);
      const [s, site] = [`$${values.length - 1}`, `$${values.length}`];
      where.push(`(cardinality(allowed_sites) + cardinality(allowed_stations) + cardinality(allowed_evses) = 0
        OR ${site}::text = ANY (allowed_sites) OR ${s}::text = ANY (allowed_stations)
        OR EXISTS (SELECT 1 FROM unnest(allowed_evses) e WHERE left(e, length(${s}::text) + 1) = ${s}::text || '/'))`);
    }
    const cond = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const limit = Math.min(Math.max(q.limit ?? 100, 1), 100_000);
    const { rows } = await this.pool.query<Row & { total: string }>(
      `SELECT ${COLUMNS}, count(*) OVER () AS total FROM tokens ${cond} ORDER BY tokens.id LIMIT ${limit} OFFSET ${Math.max(q.offset ?? 0, 0)}`,
      values,
    );
    return { total: rows[0] ? Number(rows[0].total) : 0, items: rows.map(toRecord) };
  }

  /** Every token (export), in id order, a page at a time. */
  async *all(pageSize = 5000): AsyncGenerator<TokenRecord> {
    for (const t of await this.loadForCache(undefined, pageSize)) {
      const { pinHash: _omit, ...record } = t;
      yield record;
    }
  }

  /** What the token caches load: every token, or the given ids (deleted ones are simply absent). */
  async loadForCache(ids?: string[], pageSize = 20_000): Promise<CacheToken[]> {
    if (ids) {
      const valid = ids.filter((id) => parseId(id));
      if (!valid.length) return [];
      const { rows } = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM tokens WHERE id = ANY ($1::bigint[])`, [valid]);
      return rows.map(toCacheToken);
    }
    const out: CacheToken[] = [];
    for (let after = '0'; ; ) {
      const { rows } = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM tokens WHERE id > $1 ORDER BY tokens.id LIMIT ${pageSize}`, [after]);
      out.push(...rows.map(toCacheToken));
      if (rows.length < pageSize) return out;
      after = rows[rows.length - 1]!.id;
    }
  }

  /**
   * The tokens allowed at a station (its site, the station, or one of its EVSEs; unrestricted tokens
   * too), for local-list sync: PINs opened when local lists carry them.
   */
  async tokensAllowedAt(stationId: string, siteId?: string): Promise<LocalListToken[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT ${COLUMNS}, pin_sealed FROM tokens
       WHERE cardinality(allowed_sites) + cardinality(allowed_stations) + cardinality(allowed_evses) = 0
          OR $2::text = ANY (allowed_sites) OR $1::text = ANY (allowed_stations)
          OR EXISTS (SELECT 1 FROM unnest(allowed_evses) e WHERE left(e, length($1::text) + 1) = $1::text || '/')
       ORDER BY tokens.id`,
      [stationId, siteId ?? null],
    );
    return rows.map((r) => {
      const t = toRecord(r);
      const out: LocalListToken = { id: t.id, type: t.type, status: t.status, allowedSites: t.allowedSites, allowedStations: t.allowedStations, allowedEvses: t.allowedEvses, allowedHours: t.allowedHours };
      if (t.uid !== undefined) out.uid = t.uid;
      if (t.validUntil) out.validUntil = t.validUntil;
      if (t.groupId) out.groupId = t.groupId;
      if (r.pin_sealed && this.o.pins.sealKey && this.o.sealPins) out.pin = openPin(r.pin_sealed, this.o.pins.sealKey);
      return out;
    });
  }

  /**
   * Imports rows: each is checked (fields, duplicates within the file, accounts) before any is written;
   * one bad row and nothing is written — the error lists every bad row. `upsert` (default) updates
   * tokens of the same type and uid (KeyCode: PIN); `create` refuses them.
   */
  async import(rows: ImportRow[], actor: Actor, mode: 'create' | 'upsert' = 'upsert'): Promise<{ created: number; updated: number; ids: string[] }> {
    const bad: Array<{ row: number; errors: string[] }> = [];
    const good: Array<{ row: number; token: NewToken }> = [];
    const seen = new Map<string, number>();
    for (const { row, input } of rows) {
      const c = validateNewToken(input);
      if (!c.ok) {
        bad.push({ row, errors: c.errors });
        continue;
      }
      const key = c.value.type === 'KeyCode' ? `pin:${this.hashPin(c.value.pin!)}` : `${c.value.type}:${c.value.uid!.toUpperCase()}`;
      const first = seen.get(key);
      if (first !== undefined) bad.push({ row, errors: [`the same token as row ${first}`] });
      else seen.set(key, row);
      good.push({ row, token: c.value });
    }
    const accountIds = [...new Set(good.map((g) => g.token.accountId).filter((a): a is string => a !== undefined))];
    if (accountIds.length) {
      const { rows: found } = await this.pool.query<{ id: string }>('SELECT id::text FROM accounts WHERE id = ANY ($1::bigint[])', [accountIds]);
      const known = new Set(found.map((r) => r.id));
      for (const g of good) if (g.token.accountId && !known.has(g.token.accountId)) bad.push({ row: g.row, errors: [`accountId ${g.token.accountId} names no account`] });
    }
    if (bad.length) throw new TokenRegistryError('invalid', `${bad.length} of ${rows.length} rows are invalid; nothing was imported`, bad.sort((a, b) => a.row - b.row));
    const client = await this.pool.connect();
    let records: TokenRecord[];
    try {
      await client.query('BEGIN');
      records = await this.insert(client, good.map((g) => g.token), actor, mode);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
    const ids = records.map((r) => r.id);
    await this.announce(ids.length > 1000 ? '*' : ids);
    const created = records.filter((r) => r.createdAt === r.updatedAt).length;
    return { created, updated: records.length - created, ids };
  }
}
