/**
 * Firmware campaigns, the rules without the I/O: which stations a cohort selects, how they split into a
 * canary and waves, when a wave's gate passes or fails, when a site's maintenance window is open, and —
 * from a snapshot of a running campaign — what the campaign does next. The worker's campaign tick loads a
 * snapshot from PostgreSQL and Redis, asks `nextCampaignStep`, and carries the answer out; being a pure
 * function of the snapshot is what lets a tick after a crash carry on exactly where the last one stopped.
 *
 * Percentages are integers 0–100 and compared in integer arithmetic (`verified * 100 >= pct * size`), so
 * a gate never flips on a rounding error.
 */

/** Which stations a campaign is for. Lists are ORed within a field and ANDed across fields. */
export interface CampaignCohort {
  sites?: string[];
  vendors?: string[];
  models?: string[];
  /** Current firmware versions, as the stations report them at boot. */
  versions?: string[];
  /** Metadata tags as `key=value` (or `key` for any value); a station with any of them matches. */
  tags?: string[];
  /** An explicit list of station ids; the other fields still narrow it. */
  stations?: string[];
  /** Never in the campaign, whatever else matches. */
  exclude?: string[];
}

/** A station as the cohort sees it: registry and metadata facts. */
export interface CohortCandidate {
  id: string;
  site?: string;
  vendor?: string;
  model?: string;
  version?: string;
  tags: Record<string, string>;
}

/** A size as a count or a percentage of the whole cohort (count wins when both are given). */
export interface CampaignSize {
  count?: number;
  percent?: number;
}

export interface WaveGate {
  /** At least this share of the wave verified on the target version… */
  minVerifiedPercent: number;
  /** …within this long after the wave's last station was sent its update… */
  withinSec: number;
  /** …and at most this share failed (at any time). */
  maxFailedPercent: number;
}

/** A weekly window in the site's local time; `end` before `start` runs past midnight. */
export interface MaintenanceWindow {
  /** 0 = Sunday … 6 = Saturday: the day the window starts. Absent: every day. */
  days?: number[];
  /** `HH:MM`, 24-hour. */
  start: string;
  end: string;
}

export interface CampaignPlan {
  canary: CampaignSize;
  waves: CampaignSize;
  gate: WaveGate;
  /** At most this many stations of one site updating at a time. */
  maxPerSite: number;
  /** When updates may be sent, in each site's time zone. None: any time. */
  windows?: MaintenanceWindow[];
}

/** Why a cohort candidate is not in the campaign. */
export type CohortSkip = 'excluded' | 'other_vendor_model' | 'on_target' | 'below_min_prior_version';

export interface CohortSelection {
  selected: CohortCandidate[];
  skipped: Array<{ id: string; reason: CohortSkip }>;
}

export interface CampaignRelease {
  vendor: string;
  model: string;
  /** Does a reported version equal the release (the catalogue's version-match rule)? */
  isTarget(reported: string | undefined): boolean;
  minPriorVersion?: string;
}

/**
 * Compares dotted versions segment by segment, numerically where both segments are numbers
 * (`1.10` > `1.9`), as text otherwise. Vendor schemes vary; this is the order a minimum prior version
 * is checked against, and the only one the campaign needs.
 */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.\-_+ ]/);
  const pb = b.split(/[.\-_+ ]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '';
    const y = pb[i] ?? '';
    if (x === y) continue;
    if (/^\d+$/.test(x) && /^\d+$/.test(y)) return Number(x) - Number(y) < 0 ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

function tagMatches(tags: Record<string, string>, wanted: string): boolean {
  const eq = wanted.indexOf('=');
  if (eq < 0) return Object.prototype.hasOwnProperty.call(tags, wanted);
  const key = wanted.slice(0, eq);
  return Object.prototype.hasOwnProperty.call(tags, key) && tags[key] === wanted.slice(eq + 1);
}

function inList(list: string[] | undefined, value: string | undefined): boolean {
  return list === undefined || list.length === 0 || (value !== undefined && list.includes(value));
}

/** The stations of `candidates` the cohort selects for `release`, in id order, and why the others are not. */
export function selectCohort(candidates: CohortCandidate[], cohort: CampaignCohort, release: CampaignRelease): CohortSelection {
  const exclude = new Set(cohort.exclude ?? []);
  const explicit = cohort.stations && cohort.stations.length ? new Set(cohort.stations) : undefined;
  const out: CohortSelection = { selected: [], skipped: [] };
  for (const c of [...candidates].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    if (explicit && !explicit.has(c.id)) continue;
    if (!inList(cohort.sites, c.site) || !inList(cohort.vendors, c.vendor) || !inList(cohort.models, c.model) || !inList(cohort.versions, c.version)) continue;
    if (cohort.tags && cohort.tags.length && !cohort.tags.some((t) => tagMatches(c.tags, t))) continue;
    if (exclude.has(c.id)) out.skipped.push({ id: c.id, reason: 'excluded' });
    else if (c.vendor !== release.vendor || c.model !== release.model) out.skipped.push({ id: c.id, reason: 'other_vendor_model' });
    else if (release.isTarget(c.version)) out.skipped.push({ id: c.id, reason: 'on_target' });
    else if (release.minPriorVersion && (c.version === undefined || compareVersions(c.version, release.minPriorVersion) < 0)) out.skipped.push({ id: c.id, reason: 'below_min_prior_version' });
    else out.selected.push(c);
  }
  return out;
}

function sizeOf(size: CampaignSize, total: number): number {
  const n = size.count !== undefined ? size.count : Math.ceil(((size.percent ?? 100) * total) / 100);
  return Math.min(total, Math.max(1, Math.floor(n)));
}

/**
 * Splits the selected stations into the canary (wave 0) and the waves after it. Stations are dealt
 * round-robin across sites, so a wave spreads over sites instead of taking one whole site down.
 */
export function planWaves(selected: CohortCandidate[], plan: Pick<CampaignPlan, 'canary' | 'waves'>): string[][] {
  if (selected.length === 0) return [];
  const bySite = new Map<string, string[]>();
  for (const c of selected) {
    const key = c.site ?? '';
    bySite.set(key, [...(bySite.get(key) ?? []), c.id]);
  }
  const sites = [...bySite.keys()].sort();
  const order: string[] = [];
  for (let i = 0; order.length < selected.length; i++) for (const s of sites) if (bySite.get(s)![i] !== undefined) order.push(bySite.get(s)![i]);
  const waves = [order.slice(0, sizeOf(plan.canary, order.length))];
  const step = sizeOf(plan.waves, order.length);
  for (let i = waves[0].length; i < order.length; i += step) waves.push(order.slice(i, i + step));
  return waves;
}

/** How one station of a campaign stands. */
export type CampaignStationState = 'pending' | 'updating' | 'verified' | 'failed' | 'cancelled';

export interface WaveTally {
  size: number;
  verified: number;
  failed: number;
  /** Sent and not yet verified or failed. */
  updating: number;
  /** Not sent yet (deferred or waiting for a slot). */
  pending: number;
}

export type GateDecision = { decision: 'wait' | 'pass' | 'fail'; verifiedPercent: number; failedPercent: number; reason?: string };

const pct = (n: number, size: number) => (size === 0 ? 0 : Math.floor((n * 100) / size));

/**
 * A wave's gate: fails as soon as failures exceed the budget; passes once enough are verified; fails
 * when `withinSec` after the wave's last dispatch too few are. Waits while stations are still unsent.
 */
export function evaluateGate(t: WaveTally, gate: WaveGate, dispatchedAt: number | undefined, now: number): GateDecision {
  const figures = { verifiedPercent: pct(t.verified, t.size), failedPercent: pct(t.failed, t.size) };
  if (t.failed * 100 > gate.maxFailedPercent * t.size) return { decision: 'fail', ...figures, reason: `${t.failed} of ${t.size} failed, more than ${gate.maxFailedPercent}%` };
  if (t.pending > 0 || dispatchedAt === undefined) return { decision: 'wait', ...figures };
  if (t.verified * 100 >= gate.minVerifiedPercent * t.size) return { decision: 'pass', ...figures };
  if (now - dispatchedAt > gate.withinSec * 1000) return { decision: 'fail', ...figures, reason: `${t.verified} of ${t.size} verified within ${gate.withinSec} s, fewer than ${gate.minVerifiedPercent}%` };
  return { decision: 'wait', ...figures };
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function isValidWindow(w: MaintenanceWindow): boolean {
  return HHMM.test(w.start) && HHMM.test(w.end) && w.start !== w.end && (w.days ?? []).every((d) => Number.isInteger(d) && d >= 0 && d <= 6);
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/**
 * One formatter per zone: building an Intl.DateTimeFormat costs tens of microseconds, and access
 * control asks on every Authorize of a token with allowed hours. Bounded by the zones the runtime knows.
 */
const FORMATTERS = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = FORMATTERS.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    if (FORMATTERS.size < 1000) FORMATTERS.set(timeZone, f);
  }
  return f;
}

/** Weekday (0 = Sunday) and minute of the day at `at` in `timeZone` (an IANA name). */
export function localTime(at: number, timeZone: string): { day: number; minute: number } {
  const parts = formatterFor(timeZone).formatToParts(new Date(at));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return { day: WEEKDAYS.indexOf(get('weekday')), minute: Number(get('hour')) * 60 + Number(get('minute')) };
}

/** Is any window open at `at` in the site's time zone? No windows: always. */
export function inMaintenanceWindow(windows: MaintenanceWindow[] | undefined, timeZone: string, at: number): boolean {
  if (!windows || windows.length === 0) return true;
  const { day, minute } = localTime(at, timeZone);
  const toMin = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
  return windows.some((w) => {
    const start = toMin(w.start);
    const end = toMin(w.end);
    const onDay = (d: number) => !w.days || w.days.length === 0 || w.days.includes(d);
    if (start < end) return onDay(day) && minute >= start && minute < end;
    // Past midnight: the evening part belongs to today's window, the morning part to yesterday's.
    return (onDay(day) && minute >= start) || (onDay((day + 6) % 7) && minute < end);
  });
}

/** Is `timeZone` an IANA zone this runtime knows? */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}
