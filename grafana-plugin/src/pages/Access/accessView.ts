/**
 * The Access page's view in the query string: the tab and each tab's state (token search, filters,
 * page, the token open in the drawer, the form or import panel; the account open and the group shown;
 * the local-list state filter, page and station looked up; the incident filters and page). Defaults are left out of the URL, so a plain /access is the token
 * list, and a link reproduces what someone saw.
 */
import { TOKEN_STATUSES, TOKEN_TYPES, type TokenStatus, type TokenType } from '@chargewatch/model/access';
import {
  INCIDENT_STATUSES,
  MISUSE_RULES,
  MISUSE_SEVERITIES,
  type IncidentStatus,
  type MisuseRule,
  type MisuseSeverity,
} from '@chargewatch/model/misuse';
import { LOCAL_LIST_STATES, type LocalListState } from '@chargewatch/model/local-list-sync';

export const TABS = ['tokens', 'accounts', 'local-lists', 'incidents'] as const;
export type AccessTab = (typeof TABS)[number];
export const TOKEN_PAGE_SIZE = 50;
export const INCIDENT_PAGE_SIZE = 50;
export const LOCAL_LIST_PAGE_SIZE = 50;
/** How far back the incident feed looks (last seen); '' = all time. */
export const SINCE = ['24h', '7d', '30d'] as const;
export type Since = (typeof SINCE)[number];

export interface AccessView {
  tab: AccessTab;
  // tokens
  q: string;
  type?: TokenType;
  status?: TokenStatus;
  accountId?: string;
  groupId?: string;
  page: number;
  /** the token open in the detail drawer */
  token?: string;
  /** the token form: a new token, or the open token's edit */
  form?: 'new' | 'edit';
  import: boolean;
  // accounts
  aq: string;
  apage: number;
  /** the account open (accounts tab) */
  account?: string;
  accountForm?: 'new' | 'edit';
  /** the group whose tokens are shown (accounts tab) */
  group?: string;
  // local lists
  lstate?: LocalListState;
  lpage: number;
  /** the station whose list is looked up */
  lstation?: string;
  // incidents
  rule?: MisuseRule;
  severity?: MisuseSeverity;
  istatus?: IncidentStatus;
  station?: string;
  since?: Since;
  ipage: number;
}

export const DEFAULT_VIEW: AccessView = {
  tab: 'tokens',
  q: '',
  page: 0,
  import: false,
  aq: '',
  apage: 0,
  lpage: 0,
  ipage: 0,
};

const ID = /^[1-9]\d{0,17}$/;

function nonNegativeInt(text: string | null): number {
  const n = Number(text);
  return Number.isInteger(n) && n >= 0 && n <= 100_000 ? n : 0;
}

function oneOf<T extends string>(values: readonly T[], text: string | null): T | undefined {
  return text !== null && (values as readonly string[]).includes(text) ? (text as T) : undefined;
}

const text = (s: string | null, max = 100) => (s && s.length <= max ? s : undefined);

export function parseAccessView(params: URLSearchParams): AccessView {
  const tab = oneOf(TABS, params.get('tab')) ?? 'tokens';
  const token = params.get('token');
  const account = params.get('account');
  const form = oneOf(['new', 'edit'] as const, params.get('form'));
  const accountForm = oneOf(['new', 'edit'] as const, params.get('accountForm'));
  const accountId = params.get('accountId');
  return {
    tab,
    q: text(params.get('q')) ?? '',
    type: oneOf(TOKEN_TYPES, params.get('type')),
    status: oneOf(TOKEN_STATUSES, params.get('status')),
    ...(accountId && ID.test(accountId) ? { accountId } : {}),
    groupId: text(params.get('groupId'), 36),
    page: nonNegativeInt(params.get('page')),
    ...(token && ID.test(token) ? { token } : {}),
    ...(tab === 'tokens' && form && (form === 'new' || (token && ID.test(token))) ? { form } : {}),
    import: tab === 'tokens' && params.get('import') === '1',
    aq: text(params.get('aq')) ?? '',
    apage: nonNegativeInt(params.get('apage')),
    ...(account && ID.test(account) ? { account } : {}),
    ...(tab === 'accounts' && accountForm && (accountForm === 'new' || (account && ID.test(account)))
      ? { accountForm }
      : {}),
    group: text(params.get('group'), 36),
    lstate: oneOf(LOCAL_LIST_STATES, params.get('lstate')),
    lpage: nonNegativeInt(params.get('lpage')),
    lstation: text(params.get('lstation'), 48),
    rule: oneOf(MISUSE_RULES, params.get('rule')),
    severity: oneOf(MISUSE_SEVERITIES, params.get('severity')),
    istatus: oneOf(INCIDENT_STATUSES, params.get('istatus')),
    station: text(params.get('station'), 48),
    since: oneOf(SINCE, params.get('since')),
    ipage: nonNegativeInt(params.get('ipage')),
  };
}

/** The query string of `view`, keeping parameters of others (e.g. Grafana's own) from `prev`. */
export function accessViewParams(view: AccessView, prev = new URLSearchParams()): URLSearchParams {
  const next = new URLSearchParams(prev);
  const set = (key: string, value: string | undefined) => (value ? next.set(key, value) : next.delete(key));
  const num = (n: number) => (n ? String(n) : undefined);
  set('tab', view.tab === 'tokens' ? undefined : view.tab);
  set('q', view.q);
  set('type', view.type);
  set('status', view.status);
  set('accountId', view.accountId);
  set('groupId', view.groupId);
  set('page', num(view.page));
  set('token', view.token);
  set('form', view.form);
  set('import', view.import ? '1' : undefined);
  set('aq', view.aq);
  set('apage', num(view.apage));
  set('account', view.account);
  set('accountForm', view.accountForm);
  set('group', view.group);
  set('lstate', view.lstate);
  set('lpage', num(view.lpage));
  set('lstation', view.lstation);
  set('rule', view.rule);
  set('severity', view.severity);
  set('istatus', view.istatus);
  set('station', view.station);
  set('since', view.since);
  set('ipage', num(view.ipage));
  return next;
}

const HOURS: Record<Since, number> = { '24h': 24, '7d': 24 * 7, '30d': 24 * 30 };

/** The incident query's `from` for a "since" choice, at `now`. */
export function sinceFrom(since: Since | undefined, now = Date.now()): string | undefined {
  return since ? new Date(now - HOURS[since] * 3600_000).toISOString() : undefined;
}
