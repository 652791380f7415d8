/**
 * The firmware catalogue in PostgreSQL (migration 0003): releases per vendor/model and the target
 * release every station of a vendor/model should run. Releases are validated (firmware-validation.ts)
 * before they are stored; the database checks the same limits again. A release that a target or an
 * update names cannot be deleted (its history would lose its meaning).
 */
import type { Pool } from 'pg';
import { DEFAULT_VERSION_MATCH, type Actor, type FirmwareVersionMatch } from '@chargewatch/model';
import type { NewFirmwareRelease } from './firmware-validation';

export interface FirmwareRelease extends NewFirmwareRelease {
  id: string;
  /** true when it carries a signing certificate and signature (a secure update). */
  signed: boolean;
  createdAt: Date;
  createdBy: string;
}

export interface FirmwareTarget {
  vendor: string;
  model: string;
  releaseId: string;
  /** The release's version and match rule, for inventory and drift. */
  version: string;
  versionMatch: FirmwareVersionMatch;
  setAt: Date;
  setBy: string;
}

export class FirmwareCatalogueError extends Error {
  constructor(
    readonly code: 'duplicate' | 'not_found' | 'in_use' | 'wrong_model',
    message: string,
  ) {
    super(message);
    this.name = 'FirmwareCatalogueError';
  }
}

interface ReleaseRow {
  id: string;
  vendor: string;
  model: string;
  version: string;
  location: string;
  checksum: string | null;
  signing_certificate: string | null;
  signature: string | null;
  release_notes: string | null;
  min_prior_version: string | null;
  version_match: FirmwareVersionMatch | null;
  created_at: Date;
  created_by: string;
}

const RELEASE_COLUMNS = `id::text, vendor, model, version, location, checksum, signing_certificate, signature, release_notes,
  min_prior_version, version_match, created_at, created_by`;

function toRelease(r: ReleaseRow): FirmwareRelease {
  const out: FirmwareRelease = {
    id: r.id,
    vendor: r.vendor,
    model: r.model,
    version: r.version,
    location: r.location,
    versionMatch: r.version_match ?? DEFAULT_VERSION_MATCH,
    signed: r.signing_certificate !== null && r.signature !== null,
    createdAt: r.created_at,
    createdBy: r.created_by,
  };
  if (r.checksum !== null) out.checksum = r.checksum;
  if (r.signing_certificate !== null) out.signingCertificate = r.signing_certificate;
  if (r.signature !== null) out.signature = r.signature;
  if (r.release_notes !== null) out.releaseNotes = r.release_notes;
  if (r.min_prior_version !== null) out.minPriorVersion = r.min_prior_version;
  return out;
}

/** A bigint id from a path or body: digits only, so nothing else reaches a query as an id. */
export function parseId(id: string | number): string | undefined {
  const s = String(id);
  return /^[1-9][0-9]{0,17}$/.test(s) ? s : undefined;
}

const pgCode = (err: unknown) => (err as { code?: string }).code;

export class FirmwareCatalogue {
  constructor(private readonly pool: Pool) {}

  async createRelease(r: NewFirmwareRelease, actor: Actor): Promise<FirmwareRelease> {
    try {
      const { rows } = await this.pool.query<ReleaseRow>(
        `INSERT INTO firmware_releases (vendor, model, version, location, checksum, signing_certificate, signature, release_notes,
           min_prior_version, version_match, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING ${RELEASE_COLUMNS}`,
        [
          r.vendor,
          r.model,
          r.version,
          r.location,
          r.checksum ?? null,
          r.signingCertificate ?? null,
          r.signature ?? null,
          r.releaseNotes ?? null,
          r.minPriorVersion ?? null,
          JSON.stringify(r.versionMatch),
          actor.name,
        ],
      );
      return toRelease(rows[0]!);
    } catch (err) {
      if (pgCode(err) === '23505') throw new FirmwareCatalogueError('duplicate', `a release ${r.version} of ${r.vendor} ${r.model} exists already`);
      throw err;
    }
  }

  async getRelease(id: string): Promise<FirmwareRelease | undefined> {
    if (!parseId(id)) return undefined;
    const { rows } = await this.pool.query<ReleaseRow>(`SELECT ${RELEASE_COLUMNS} FROM firmware_releases WHERE id = $1`, [id]);
    return rows[0] ? toRelease(rows[0]) : undefined;
  }

  /** Newest first, optionally of one vendor and/or model. */
  async listReleases(q: { vendor?: string; model?: string; limit?: number; offset?: number } = {}): Promise<{ total: number; items: FirmwareRelease[] }> {
    const params: unknown[] = [];
    const parts: string[] = [];
    if (q.vendor !== undefined) parts.push(`vendor = $${params.push(q.vendor)}`);
    if (q.model !== undefined) parts.push(`model = $${params.push(q.model)}`);
    const where = parts.length ? `WHERE ${parts.join(' AND ')}` : '';
    const limit = Math.min(Math.max(1, q.limit ?? 100), 1000);
    const offset = Math.max(0, q.offset ?? 0);
    const [count, rows] = await Promise.all([
      this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM firmware_releases ${where}`, params),
      this.pool.query<ReleaseRow>(`SELECT ${RELEASE_COLUMNS} FROM firmware_releases ${where} ORDER BY created_at DESC, id DESC LIMIT ${limit} OFFSET ${offset}`, params),
    ]);
    return { total: Number(count.rows[0]?.n ?? 0), items: rows.rows.map(toRelease) };
  }

  /** Deletes a release nothing refers to; `in_use` when a target or an update names it. */
  async deleteRelease(id: string): Promise<FirmwareRelease> {
    const release = await this.getRelease(id);
    if (!release) throw new FirmwareCatalogueError('not_found', `no firmware release ${id}`);
    try {
      await this.pool.query('DELETE FROM firmware_releases WHERE id = $1', [id]);
    } catch (err) {
      if (pgCode(err) === '23503') throw new FirmwareCatalogueError('in_use', `release ${id} is a target or has updates; it stays in the catalogue`);
      throw err;
    }
    return release;
  }

  async listTargets(): Promise<FirmwareTarget[]> {
    const { rows } = await this.pool.query<{ vendor: string; model: string; release_id: string; version: string; version_match: FirmwareVersionMatch | null; set_at: Date; set_by: string }>(
      `SELECT t.vendor, t.model, t.release_id::text, r.version, r.version_match, t.set_at, t.set_by
       FROM firmware_targets t JOIN firmware_releases r ON r.id = t.release_id ORDER BY t.vendor, t.model`,
    );
    return rows.map((r) => ({ vendor: r.vendor, model: r.model, releaseId: r.release_id, version: r.version, versionMatch: r.version_match ?? DEFAULT_VERSION_MATCH, setAt: r.set_at, setBy: r.set_by }));
  }

  async getTarget(vendor: string, model: string): Promise<FirmwareTarget | undefined> {
    return (await this.listTargets()).find((t) => t.vendor === vendor && t.model === model);
  }

  /** Sets (or with `null` clears) the target of a vendor/model; the release must be of that vendor/model. */
  async setTarget(vendor: string, model: string, releaseId: string | null, actor: Actor): Promise<FirmwareTarget | undefined> {
    if (releaseId === null) {
      await this.pool.query('DELETE FROM firmware_targets WHERE vendor = $1 AND model = $2', [vendor, model]);
      return undefined;
    }
    const release = await this.getRelease(releaseId);
    if (!release) throw new FirmwareCatalogueError('not_found', `no firmware release ${releaseId}`);
    if (release.vendor !== vendor || release.model !== model) {
      throw new FirmwareCatalogueError('wrong_model', `release ${releaseId} is for ${release.vendor} ${release.model}, not ${vendor} ${model}`);
    }
    await this.pool.query(
      `INSERT INTO firmware_targets (vendor, model, release_id, set_at, set_by) VALUES ($1, $2, $3, now(), $4)
       ON CONFLICT (vendor, model) DO UPDATE SET release_id = EXCLUDED.release_id, set_at = EXCLUDED.set_at, set_by = EXCLUDED.set_by`,
      [vendor, model, releaseId, actor.name],
    );
    return this.getTarget(vendor, model);
  }
}
