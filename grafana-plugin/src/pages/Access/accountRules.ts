/**
 * The account form: its fields, the checks the account store makes (platform
 * access/account-store.ts validateAccount: lengths, no control characters, kind person or fleet,
 * ISO 4217 currency), and the bodies: every set field for a new account, only changes for an edit
 * (a cleared optional field as null).
 */
import type { Account, AccountFields, AccountKind } from '../../api/accessTypes';

export const ACCOUNT_LIMITS = { name: 200, contact: 500, billingReference: 100, note: 2000 } as const;

export interface AccountFormState {
  kind: AccountKind;
  name: string;
  contact: string;
  billingReference: string;
  currency: string;
  note: string;
}

export const EMPTY_ACCOUNT: AccountFormState = {
  kind: 'person',
  name: '',
  contact: '',
  billingReference: '',
  currency: '',
  note: '',
};

export type AccountErrors = Partial<Record<keyof AccountFormState, string>>;

// the store allows tabs and line breaks (a note, an address), nothing else below space
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

export function validateAccount(f: AccountFormState): AccountErrors {
  const e: AccountErrors = {};
  if (f.name === '') {
    e.name = 'Required';
  }
  for (const key of Object.keys(ACCOUNT_LIMITS) as Array<keyof typeof ACCOUNT_LIMITS>) {
    const v = f[key];
    if (v.length > ACCOUNT_LIMITS[key]) {
      e[key] = `At most ${ACCOUNT_LIMITS[key]} characters (${v.length} now)`;
    } else if (CONTROL.test(v)) {
      e[key] = 'No control characters';
    }
  }
  if (f.currency && !/^[A-Z]{3}$/.test(f.currency)) {
    e.currency = 'ISO 4217: three capital letters, e.g. EUR';
  }
  return e;
}

export function accountForm(a: Account): AccountFormState {
  return {
    kind: a.kind,
    name: a.name,
    contact: a.contact ?? '',
    billingReference: a.billingReference ?? '',
    currency: a.currency ?? '',
    note: a.note ?? '',
  };
}

const OPTIONAL = ['contact', 'billingReference', 'currency', 'note'] as const;

/** `POST /accounts`: kind, name and the optional fields that are set. */
export function newAccountBody(f: AccountFormState): AccountFields {
  const body: AccountFields = { kind: f.kind, name: f.name };
  for (const key of OPTIONAL) {
    if (f[key]) {
      body[key] = f[key];
    }
  }
  return body;
}

/** `PATCH /accounts/{id}`: what differs from `a`. */
export function accountPatchBody(f: AccountFormState, a: Account): AccountFields {
  const before = accountForm(a);
  const patch: AccountFields = {};
  if (f.kind !== before.kind) {
    patch.kind = f.kind;
  }
  if (f.name !== before.name) {
    patch.name = f.name;
  }
  for (const key of OPTIONAL) {
    if (f[key] !== before[key]) {
      patch[key] = f[key] || null;
    }
  }
  return patch;
}
