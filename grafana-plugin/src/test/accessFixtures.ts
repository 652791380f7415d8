/**
 * A small access-control collector for the Access page's tests: tokens, accounts, incidents and sessions
 * in memory, changed by the writes, answering as the collector's routes do (filters, paging, 404, the
 * import's 400 naming each bad row with nothing written). Token ids are checked with the model's
 * normaliseTokenId, as the registry does; answers never carry a PIN. */
import type { OrgRole } from '@grafana/data';
import { config } from '@grafana/runtime';
import { normaliseTokenId, OCPI_TYPE_OF, type TokenType } from '@chargewatch/model/access';
import type { GrafanaRole } from '../../standalone/grafana-proxy.mjs';
import type { AccessToken, Account, Incident, LocalList, NewToken } from '../api/accessTypes';
import { HttpError, HttpReply, installFakeBackend, type RecordedRequest } from './fakeBackend';
import { INCIDENT_TOKEN, SESSIONS } from './sessionFixtures';

const T0 = '2026-11-01T08:00:00.000Z';

export const ACCOUNTS: Account[] = [
  {
    id: '1',
    kind: 'fleet',
    name: 'Harbour Logistics',
    currency: 'EUR',
    billingReference: 'HL-77',
    createdAt: T0,
    updatedAt: T0,
  },
  { id: '2', kind: 'person', name: 'Ada Lovelace', createdAt: T0, updatedAt: T0 },
];

export const TOKENS: AccessToken[] = [
  {
    id: '1',
    type: 'ISO14443',
    uid: '04A2B3C4D5E6F7',
    ocpiType: 'RFID',
    status: 'Accepted',
    groupId: 'FLEET-HL',
    accountId: '1',
    allowedSites: ['harbour'],
    allowedHours: [{ days: [1, 2, 3, 4, 5], start: '07:00', end: '19:00' }],
    createdAt: T0,
    createdBy: 'ops',
    updatedAt: T0,
    updatedBy: 'ops',
  },
  {
    id: '2',
    type: 'ISO14443',
    uid: '04112233',
    ocpiType: 'RFID',
    status: 'Blocked',
    groupId: 'FLEET-HL',
    accountId: '1',
    createdAt: T0,
    updatedAt: T0,
  },
  {
    id: '3',
    type: 'KeyCode',
    hasPin: true,
    ocpiType: 'OTHER',
    status: 'Accepted',
    accountId: '2',
    createdAt: T0,
    updatedAt: T0,
  },
  {
    id: '4',
    type: 'eMAID',
    uid: 'NL-TNM-C12345678-X',
    ocpiType: 'OTHER',
    status: 'Expired',
    validUntil: '2026-01-01T00:00:00.000Z',
    createdAt: T0,
    updatedAt: T0,
  },
];

export const INCIDENTS: Incident[] = [
  {
    id: '11',
    rule: 'impossible_travel',
    severity: 'critical',
    stationId: 'CP-0002',
    site: 'harbour',
    token: { masked: '****E6F7', type: 'ISO14443', hash: 'h1' },
    summary: 'token at CP-0001 and CP-0002, 400 km apart within 10 min',
    firstSeen: '2026-11-30T10:00:00.000Z',
    lastSeen: '2026-11-30T10:10:00.000Z',
    count: 2,
    status: 'open',
    response: { action: 'block_token', result: 'blocked', at: '2026-11-30T10:10:01.000Z' },
  },
  {
    id: '12',
    rule: 'pin_guessing',
    severity: 'critical',
    stationId: 'CP-0003',
    token: { masked: '****', type: 'KeyCode' },
    summary: '6 refused PINs within 5 min',
    firstSeen: '2026-11-30T09:00:00.000Z',
    lastSeen: '2026-11-30T09:04:00.000Z',
    count: 6,
    status: 'acknowledged',
    acknowledgedBy: 'ops',
    acknowledgedAt: '2026-11-30T09:05:00.000Z',
    response: { action: 'keycode_lockout', until: '2026-11-30T09:05:00.000Z', at: '2026-11-30T09:04:00.000Z' },
  },
  {
    id: '13',
    rule: 'idle_bay',
    severity: 'info',
    stationId: 'CP-0004',
    summary: 'car left 45 min after charging ended',
    firstSeen: '2026-11-29T09:00:00.000Z',
    lastSeen: '2026-11-29T09:45:00.000Z',
    count: 1,
    status: 'resolved',
    resolvedBy: 'ops',
    resolution: 'driver called',
  },
];

const list = (stationId: string, over: Partial<LocalList> = {}): LocalList => ({
  stationId,
  protocol: 'ocpp1.6',
  state: 'in_sync',
  version: 7,
  entryCount: 120,
  needsFull: false,
  skipped: {},
  limits: { maxEntries: 500 },
  lastOutcome: 'accepted',
  lastSyncAt: '2026-11-30T10:00:00.000Z',
  ...over,
});

export const LOCAL_LISTS: LocalList[] = [
  list('CP-0001'),
  list('CP-0002', {
    state: 'failed',
    failures: 3,
    lastOutcome: 'failed',
    lastError: 'station answered Failed',
    skipped: { pin: 2 },
  }),
  list('CP-0003', {
    state: 'unsupported',
    version: undefined,
    entryCount: 0,
    lastOutcome: 'not_supported',
    lastSyncAt: undefined,
  }),
];

const notFound = (req: RecordedRequest) =>
  new HttpError(404, { error: 'Not Found', message: `no route ${req.method} ${req.path}` });

function page<T>(items: T[], params: Record<string, unknown>, defaultLimit = 100) {
  const offset = Number(params.offset ?? 0);
  const limit = Number(params.limit ?? defaultLimit);
  return { total: items.length, items: items.slice(offset, offset + limit) };
}

/** Problems of one token body, as the registry words the id ones (shortened for the others). */
function problems(body: Partial<NewToken>): string[] {
  const errors: string[] = [];
  const type = body.type as TokenType;
  if (!type) {
    return ['type must be one of …'];
  }
  if (type === 'KeyCode') {
    const n = normaliseTokenId('KeyCode', body.pin ?? '');
    if (!n.ok) {
      errors.push(`pin: ${n.reason}`);
    }
  } else {
    const n = normaliseTokenId(type, body.uid ?? '');
    if (!n.ok) {
      errors.push(`uid: ${n.reason}`);
    }
  }
  return errors;
}

/** CSV rows of `text` as token bodies (simple: no quoted fields), with their line numbers. */
function csvRows(text: string): Array<{ row: number; input: Partial<NewToken> }> {
  const lines = text.split(/\r?\n/);
  const header = lines[0]!.split(',');
  return lines.slice(1).flatMap((line, i) => {
    if (line.trim() === '') {
      return [];
    }
    const cells = line.split(',');
    const input: Record<string, string> = {};
    header.forEach((h, k) => (input[h === 'group_id' ? 'groupId' : h] = cells[k] ?? ''));
    return [{ row: i + 2, input: input as Partial<NewToken> }];
  });
}

export function fakeAccessCollector(role: GrafanaRole) {
  config.bootData.user.orgRole = role === 'None' ? '' : (role as OrgRole);
  const state = {
    tokens: TOKENS.map((t) => ({ ...t })),
    accounts: ACCOUNTS.map((a) => ({ ...a })),
    incidents: INCIDENTS.map((i) => ({ ...i })),
    sessions: SESSIONS.map((x) => ({ ...x })),
    lists: LOCAL_LISTS.map((l) => ({ ...l })),
    nextId: 100,
  };
  const view = (t: AccessToken & { pin?: string }): AccessToken => {
    const { pin: _pin, ...rest } = t;
    return rest;
  };
  const make = (body: NewToken): AccessToken => {
    const t: AccessToken = {
      ...body,
      id: String(state.nextId++),
      ocpiType: body.ocpiType ?? OCPI_TYPE_OF[body.type],
      status: body.status ?? 'Accepted',
      createdAt: '2026-12-01T12:00:00.000Z',
      updatedAt: '2026-12-01T12:00:00.000Z',
      createdBy: 'tester',
    } as AccessToken;
    if (body.type === 'KeyCode') {
      delete t.uid;
      t.hasPin = true;
    } else {
      t.uid = normaliseTokenId(body.type, body.uid ?? '').ok
        ? (normaliseTokenId(body.type, body.uid!) as { uid: string }).uid
        : body.uid;
    }
    delete (t as { pin?: string }).pin;
    return t;
  };

  const { requests } = installFakeBackend(
    (req) => {
      const { method, path, params } = req;
      if (method === 'GET' && path === '/tokens') {
        const q = String(params.q ?? '').toUpperCase();
        const items = state.tokens.filter(
          (t) =>
            (!q || (t.uid ?? '').toUpperCase().startsWith(q) || (t.note ?? '').toUpperCase().includes(q)) &&
            (!params.type || t.type === params.type) &&
            (!params.status || t.status === params.status) &&
            (!params.accountId || t.accountId === params.accountId) &&
            (!params.groupId || t.groupId === params.groupId)
        );
        return page(items.map(view), params);
      }
      if (method === 'POST' && path === '/tokens') {
        const body = req.data as NewToken;
        const errors = problems(body);
        if (errors.length) {
          throw new HttpError(400, { error: 'Bad Request', message: errors.join('; ') });
        }
        const t = make(body);
        state.tokens.push(t);
        return new HttpReply(201, view(t));
      }
      if (method === 'POST' && path === '/tokens/import') {
        const rows =
          typeof req.data === 'string'
            ? csvRows(req.data)
            : (
                (Array.isArray(req.data) ? req.data : (req.data as { tokens: unknown[] }).tokens) as Array<
                  Partial<NewToken>
                >
              ).map((input, k) => ({ row: k + 1, input }));
        const bad = rows.map((r) => ({ row: r.row, errors: problems(r.input) })).filter((r) => r.errors.length);
        if (bad.length) {
          throw new HttpError(400, {
            error: 'Bad Request',
            message: `${bad.length} of ${rows.length} rows are invalid; nothing was imported`,
            rows: bad,
          });
        }
        for (const r of rows) {
          state.tokens.push(make(r.input as NewToken));
        }
        return { created: rows.length, updated: 0 };
      }
      const one = /^\/tokens\/(\d+)(?:\/(block|unblock))?$/.exec(path);
      if (one) {
        const t = state.tokens.find((x) => x.id === one[1]);
        if (!t) {
          throw new HttpError(404, { error: 'Not Found', message: `no token ${one[1]}` });
        }
        if (method === 'GET' && !one[2]) {
          return view(t);
        }
        if (method === 'POST' && one[2]) {
          t.status = one[2] === 'block' ? 'Blocked' : 'Accepted';
          return view(t);
        }
        if (method === 'PATCH') {
          const patch = req.data as Record<string, unknown>;
          for (const [k, v] of Object.entries(patch)) {
            if (k === 'pin') {
              continue;
            }
            (t as unknown as Record<string, unknown>)[k] = v === null ? undefined : v;
          }
          return view(t);
        }
        if (method === 'DELETE') {
          state.tokens = state.tokens.filter((x) => x !== t);
          return new HttpReply(204, undefined);
        }
      }
      if (method === 'GET' && path === '/accounts') {
        const q = String(params.q ?? '').toLowerCase();
        return page(
          state.accounts.filter((a) => !q || a.name.toLowerCase().includes(q)),
          params
        );
      }
      if (method === 'POST' && path === '/accounts') {
        const a = { ...(req.data as Account), id: String(state.nextId++), createdAt: T0, updatedAt: T0 };
        state.accounts.push(a);
        return new HttpReply(201, a);
      }
      const acct = /^\/accounts\/(\d+)(\/tokens)?$/.exec(path);
      if (acct) {
        const a = state.accounts.find((x) => x.id === acct[1]);
        if (!a) {
          throw new HttpError(404, { error: 'Not Found', message: `no account ${acct[1]}` });
        }
        if (method === 'GET' && acct[2]) {
          return page(state.tokens.filter((t) => t.accountId === a.id).map(view), params);
        }
        if (method === 'GET') {
          return a;
        }
        if (method === 'PATCH') {
          Object.assign(a, req.data);
          return a;
        }
      }
      if (method === 'GET' && path === '/local-lists') {
        return page(
          state.lists.filter((l) => !params.state || l.state === params.state),
          params
        );
      }
      const ll = /^\/stations\/([^/]+)\/local-list(\/sync)?$/.exec(path);
      if (ll) {
        const l = state.lists.find((x) => x.stationId === ll[1]);
        if (!l) {
          throw new HttpError(404, { error: 'Not Found', message: `no station "${ll[1]}" is registered` });
        }
        if (method === 'POST' && ll[2]) {
          Object.assign(l, {
            state: 'pending',
            needsFull: (req.data as { full?: boolean }).full === true || l.needsFull,
          });
          return new HttpReply(202, { ...l });
        }
        return { ...l };
      }
      if (method === 'GET' && path === '/incidents') {
        const items = state.incidents.filter(
          (i) =>
            (!params.rule || i.rule === params.rule) &&
            (!params.severity || i.severity === params.severity) &&
            (!params.status || i.status === params.status) &&
            (!params.station || i.stationId === params.station) &&
            (!params.token || INCIDENT_TOKEN[i.id] === params.token)
        );
        return page(items, params, 50);
      }
      if (method === 'GET' && path === '/sessions') {
        const items = state.sessions.filter(
          (x) => (!params.token || x.token?.ref === params.token) && (!params.station || x.stationId === params.station)
        );
        return page(items, params, 50);
      }
      const inc = /^\/incidents\/(\d+)\/(acknowledge|resolve)$/.exec(path);
      if (method === 'POST' && inc) {
        const i = state.incidents.find((x) => x.id === inc[1]);
        if (!i) {
          throw new HttpError(404, { error: 'Not Found', message: `no incident ${inc[1]}` });
        }
        if (inc[2] === 'acknowledge') {
          Object.assign(i, { status: 'acknowledged', acknowledgedBy: 'tester' });
        } else {
          Object.assign(i, {
            status: 'resolved',
            resolvedBy: 'tester',
            resolution: (req.data as { resolution?: string }).resolution,
          });
        }
        return { ...i };
      }
      throw notFound(req);
    },
    { role }
  );
  return { requests, state };
}
