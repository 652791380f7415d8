/**
 * Accounts (migration 0005): the person or fleet tokens belong to, with a billing reference and the
 * currency (ISO 4217) billing will use. Checked here before the database checks the same limits.
 */
import type { Pool } from 'pg';
import type { Actor } from '@chargewatch/model';
import { parseId } from '../firmware/firmware-catalogue';
import type { Checked } from './token-validation';

export interface AccountRecord {
  id: string;
  kind: 'person' | 'fleet';
  name: string;
  contact?: string;
  billingReference?: string;
  currency?: string;
  note?: string;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
}

type AccountFields = Pick<AccountRecord, 'kind' | 'name' | 'contact' | 'billingReference' | 'currency' | 'note'>;
const LIMITS: Record<keyof AccountFields, number> = { kind: 6, name: 200, contact: 500, billingReference: 100, currency: 3, note: 2000 };
const COLUMNS: Record<keyof AccountFields, string> = { kind: 'kind', name: 'name', contact: 'contact', billingReference: 'billing_reference', currency: 'currency', note: 'note' };
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

/** Checks an account (create: kind and name required; patch: `null` clears optional fields). */
export function validateAccount(input: unknown, mode: 'create' | 'patch'): Checked<Partial<Record<keyof AccountFields, string | null>>> {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return { ok: false, errors: ['an account must be an object'] };
  const o = input as Record<string, unknown>;
  const errors: string[] = [];
  const out: Partial<Record<keyof AccountFields, string | null>> = {};
  for (const [k, v] of Object.entries(o)) {
    if (!(k in LIMITS)) {
      errors.push(`${k} is not an account field`);
      continue;
    }
    const key = k as keyof AccountFields;
    if (v === null && mode === 'patch' && key !== 'kind' && key !== 'name') out[key] = null;
    else if (typeof v !== 'string' || v.length === 0 || v.length > LIMITS[key] || CONTROL.test(v)) errors.push(`${k} must be a string of 1 to ${LIMITS[key]} characters`);
    else if (key === 'kind' && v !== 'person' && v !== 'fleet') errors.push('kind must be person or fleet');
    else if (key === 'currency' && !/^[A-Z]{3}$/.test(v)) errors.push('currency must be an ISO 4217 code of three capital letters, e.g. EUR');
    else out[key] = v;
  }
  if (mode === 'create') for (const k of ['kind', 'name'] as const) if (o[k] === undefined) errors.push(`${k} is required`);
  return errors.length ? { ok: false, errors } : { ok: true, value: out };
}

interface Row {
  id: string;
  kind: 'person' | 'fleet';
  name: string;
  contact: string | null;
  billing_reference: string | null;
  currency: string | null;
  note: string | null;
  created_at: Date;
  created_by: string;
  updated_at: Date;
  updated_by: string;
}
const SELECT = 'id::text, kind, name, contact, billing_reference, currency, note, created_at, created_by, updated_at, updated_by';

function toAccount(r: Row): AccountRecord {
  const a: AccountRecord = { id: r.id, kind: r.kind, name: r.name, createdAt: r.created_at.toISOString(), createdBy: r.created_by, updatedAt: r.updated_at.toISOString(), updatedBy: r.updated_by };
  if (r.contact !== null) a.contact = r.contact;
  if (r.billing_reference !== null) a.billingReference = r.billing_reference;
  if (r.currency !== null) a.currency = r.currency;
  if (r.note !== null) a.note = r.note;
  return a;
}

export class AccountStore {
  constructor(private readonly pool: Pool) {}

  async create(input: unknown, actor: Actor): Promise<AccountRecord> {
    const c = validateAccount(input, 'create');
    if (!c.ok) throw new AccountError('invalid', c.errors.join('; '));
    const keys = Object.keys(c.value) as Array<keyof AccountFields>;
    const { rows } = await this.pool.query<Row>(
      `INSERT INTO accounts (${keys.map((k) => COLUMNS[k]).join(', ')}, created_by, updated_by)
       VALUES (${keys.map((_k, i) => `$${i + 2}`).join(', ')}, $1, $1) RETURNING ${SELECT}`,
      [actor.name, ...keys.map((k) => c.value[k])],
    );
    return toAccount(rows[0]!);
  }

  async get(id: string): Promise<AccountRecord | undefined> {
    if (!parseId(id)) return undefined;
    const { rows } = await this.pool.query<Row>(`SELECT ${SELECT} FROM accounts WHERE id = $1`, [id]);
    return rows[0] ? toAccount(rows[0]) : undefined;
  }

  async update(id: string, input: unknown, actor: Actor): Promise<AccountRecord | undefined> {
    if (!parseId(id)) return undefined;
    const c = validateAccount(input, 'patch');
    if (!c.ok) throw new AccountError('invalid', c.errors.join('; '));
    const keys = Object.keys(c.value) as Array<keyof AccountFields>;
    const sets = [...keys.map((k, i) => `${COLUMNS[k]} = $${i + 3}`), 'updated_at = now()', 'updated_by = $2'];
    const { rows } = await this.pool.query<Row>(`UPDATE accounts SET ${sets.join(', ')} WHERE id = $1 RETURNING ${SELECT}`, [id, actor.name, ...keys.map((k) => c.value[k])]);
    return rows[0] ? toAccount(rows[0]) : undefined;
  }

  /** By name (any case, a part of it) or all; newest last. */
  async list(q: { q?: string; limit?: number; offset?: number } = {}): Promise<{ total: number; items: AccountRecord[] }> {
    const values: unknown[] = [];
    let cond = '';
    if (q.q) {
      values.push(`%${q.q.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`);
      cond = 'WHERE lower(name) LIKE $1';
    }
    const limit = Math.min(Math.max(q.limit ?? 100, 1), 1000);
    const { rows } = await this.pool.query<Row & { total: string }>(`SELECT ${SELECT}, count(*) OVER () AS total FROM accounts ${cond} ORDER BY accounts.id LIMIT ${limit} OFFSET ${Math.max(q.offset ?? 0, 0)}`, values);
    return { total: rows[0] ? Number(rows[0].total) : 0, items: rows.map(toAccount) };
  }
}

export class AccountError extends Error {
  constructor(
    readonly code: 'invalid' | 'not_found',
    message: string,
  ) {
    super(message);
    this.name = 'AccountError';
  }
}
