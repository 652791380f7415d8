/**
 * The journal consumer `misuse` (run by the worker): judges every authorization, session, connector
 * status and security event by the misuse rules (model misuse-rules.ts) over their sliding state in
 * Redis (misuse-state.ts) and records findings as incidents in PostgreSQL (incident-store.ts).
 *
 * Idempotent under replay: window entries are keyed by the event (eventKey), an incident's dedupe key
 * is its subject and the event that opened it, and each finding's event is recorded once per subject,
 * so an entry handled twice counts once. Responses: PIN guessing locks KeyCodes out at the station
 * (keycode-lockout.ts); rules named in `blockOn` ask the TokenBlocker to block the token, audited.
 */
import {
  DEFAULT_MISUSE_THRESHOLDS,
  JOURNAL_CONSUMERS,
  RULE_SEVERITY,
  bayField,
  bayOverdue,
  baySignal,
  classifyAuthorization,
  compareEventKeys,
  escapeId,
  eventKey,
  evidenceOf,
  findImpossibleTravel,
  incidentDedupeKey,
  incidentSubject,
  liveSessions,
  maskIdToken,
  memberSubject,
  nextBayState,
  outsideAllowedHours,
  securityEventSeverity,
  systemActor,
  unescapeId,
  windowFires,
  windowMember,
  type ChargeEvent,
  type IdToken,
  type MaskedToken,
  type MisuseRule,
  type MisuseSeverity,
  type MisuseThresholds,
} from '@chargewatch/model';
import type { Redis } from 'ioredis';
import type { AuditLog } from '../audit/audit-log';
import type { JournalEntry, JournalHandler } from '../journal/journal-consumer';
import type { Logger } from '../logger';
import type { StationMetadata } from '../state/station-state';
import type { Finding, IncidentRecord, IncidentStore } from './incident-store';
import { lockOutKeyCodes } from './keycode-lockout';
import { MisuseState } from './misuse-state';
import { noAllowedHours, unavailableTokenBlocker, type AllowedHoursLookup, type TokenBlocker } from './token-blocker';
import { tokenHash } from './token-hash';

const METADATA_CACHE_MS = 60_000;

export interface MisuseDetectorOptions {
  redis: Redis;
  prefix: string;
  incidents: IncidentStore;
  stations: { getMetadata(stationId: string): Promise<StationMetadata> };
  thresholds?: MisuseThresholds;
  /** Secret of the token hash (MISUSE_TOKEN_HASH_SECRET). */
  hashSecret?: string;
  allowedHours?: AllowedHoursLookup;
  blocker?: TokenBlocker;
  /** Rules whose new incidents block the token (MISUSE_BLOCK_TOKEN_RULES). */
  blockOn?: ReadonlySet<MisuseRule>;
  audit?: AuditLog;
  logger: Logger;
  /** A finding opened a new incident (counted by the worker). */
  onIncident?: (incident: IncidentRecord) => void;
  now?: () => number;
}

interface Ctx {
  key: string;
  event: ChargeEvent;
  site?: string;
}

interface Draft {
  rule: MisuseRule;
  severity?: MisuseSeverity;
  subjectParts: Parameters<typeof incidentSubject>[1];
  token?: IdToken;
  summary: string;
  evidence?: Array<Record<string, unknown>>;
  /** The event the finding is recorded under, when not the one in hand (a pair found from either side). */
  eventKey?: string;
}

export class MisuseDetector implements JournalHandler {
  readonly group = JOURNAL_CONSUMERS.misuse;
  readonly state: MisuseState;
  private readonly t: MisuseThresholds;
  private readonly meta = new Map<string, { at: number; meta: StationMetadata }>();

  constructor(private readonly o: MisuseDetectorOptions) {
    this.state = new MisuseState(o.redis, o.prefix);
    this.t = o.thresholds ?? DEFAULT_MISUSE_THRESHOLDS;
  }

  private on(rule: MisuseRule): boolean {
    return this.t.enabled.has(rule);
  }

  async handle(entries: JournalEntry[]): Promise<void> {
    for (const { id, entry } of entries) {
      if (entry.kind !== 'events') continue;
      // The latest event of each station in the entry: the clock idle bays are judged by.
      const latest = new Map<string, Ctx>();
      for (let i = 0; i < entry.events.length; i++) {
        const event = entry.events[i]!;
        const ctx: Ctx = { key: eventKey(id, i), event, site: entry.stations[event.stationId]?.site };
        await this.judge(ctx);
        latest.set(event.stationId, ctx);
      }
      if (this.on('idle_bay') && latest.size) await this.idleBays([...latest.values()]);
    }
  }

  private hash(token: IdToken): string {
    return tokenHash(token, this.o.hashSecret ?? '');
  }

  private masked(token: IdToken): MaskedToken {
    return { masked: maskIdToken(token), type: token.type, hash: token.type === 'KeyCode' ? '' : this.hash(token) };
  }

  private async metadata(stationId: string): Promise<StationMetadata> {
    const now = Date.now();
    const hit = this.meta.get(stationId);
    if (hit && now - hit.at < METADATA_CACHE_MS) return hit.meta;
    const meta = await this.o.stations.getMetadata(stationId);
    if (this.meta.size > 10_000) this.meta.clear();
    this.meta.set(stationId, { at: now, meta });
    return meta;
  }

  private async judge(c: Ctx): Promise<void> {
    const e = c.event;
    switch (e.type) {
      case 'authorization.requested':
        return this.authorization(c, e);
      case 'transaction.started':
        if (e.resent || !e.idToken) return;
        // A start refused (Blocked card at a 1.6 StartTransaction, ConcurrentTx, …) is judged as a refused
        // presentation, and is no session of the token.
        if (e.authorization && e.authorization !== 'Accepted') return this.authorization(c, refusal(e, e.idToken, e.authorization));
        await this.tokenUse(c, e.idToken);
        await this.sessionStart(c, e.idToken, e.transactionId);
        return;
      case 'transaction.updated':
        if (e.idToken && e.authorization && e.authorization !== 'Accepted') await this.authorization(c, refusal(e, e.idToken, e.authorization));
        else if (e.idToken) await this.sessionStart(c, e.idToken, e.transactionId);
        return this.bay(c);
      case 'transaction.ended': {
        const token = e.idToken ?? e.start?.idToken;
        if (this.on('concurrent_sessions')) await this.state.sessionEnded(e.stationId, e.transactionId, token && token.type !== 'KeyCode' ? this.hash(token) : undefined);
        return this.bay(c);
      }
      case 'connector.status':
        if (e.errorCode === 'LocalListConflict' && this.on('local_list_conflict')) {
          await this.find(c, { rule: 'local_list_conflict', subjectParts: { stationId: e.stationId }, summary: `station ${e.stationId} reported LocalListConflict: its local authorization list disagrees with a decision` });
        }
        return this.bay(c);
      case 'security.event':
        if (e.source === 'station' && this.on('security_event') && this.t.securityEvents.has(e.eventType)) {
          await this.find(c, { rule: 'security_event', severity: securityEventSeverity(e.eventType), subjectParts: { stationId: e.stationId, other: e.eventType }, summary: `station ${e.stationId} reported ${e.eventType}` });
        }
        return;
      default:
        return;
    }
  }

  private async authorization(c: Ctx, e: Extract<ChargeEvent, { type: 'authorization.requested' }>): Promise<void> {
    const cls = classifyAuthorization(e);
    const at = e.time;
    if (cls === 'unknown' && this.on('unknown_token_burst')) {
      const r = this.t.unknownBurst;
      const w = windowFires(await this.state.window(this.state.keys.misuseStation(e.stationId, 'unknown'), windowMember(this.hash(e.idToken), c.key), at, r.windowSec * 1000), at, r, true);
      if (w.fired) await this.find(c, { rule: 'unknown_token_burst', subjectParts: { stationId: e.stationId }, summary: `${w.count} different unknown tokens at ${e.stationId} within ${r.windowSec} s` });
    } else if (cls === 'blocked' && this.on('blocked_token_retry')) {
      const r = this.t.blockedRetry;
      const h = this.hash(e.idToken);
      const w = windowFires(await this.state.window(this.state.keys.misuseToken(h, 'blocked'), windowMember(escapeId(e.stationId), c.key), at, r.windowSec * 1000), at, r);
      if (w.fired) await this.find(c, { rule: 'blocked_token_retry', subjectParts: { tokenHash: h }, token: e.idToken, summary: `token ${maskIdToken(e.idToken)} refused ${e.result} ${w.count} times within ${r.windowSec} s (last at ${e.stationId})` });
    } else if (cls === 'keycode_refused' && this.on('pin_guessing')) {
      const r = this.t.pinGuessing;
      const w = windowFires(await this.state.window(this.state.keys.misuseStation(e.stationId, 'pin'), windowMember('k', c.key), at, r.windowSec * 1000), at, r);
      if (w.fired) {
        const until = e.receivedAt + r.lockoutSec * 1000;
        const locked = await lockOutKeyCodes(this.o.redis, this.o.prefix, e.stationId, until, this.now());
        const found = await this.find(c, { rule: 'pin_guessing', subjectParts: { stationId: e.stationId }, summary: `${w.count} wrong PINs at ${e.stationId} within ${r.windowSec} s; KeyCodes refused there for ${r.lockoutSec} s` });
        if (found && locked) await this.o.incidents.setResponse(found.id, { action: 'keycode_lockout', until: new Date(until).toISOString(), at: new Date(this.now()).toISOString() });
      }
    }
    if (e.idToken.type !== 'KeyCode') await this.tokenUse(c, e.idToken, cls === 'accepted');
  }

  /** A token presented at a station: impossible travel, and allowed hours when it was let in. */
  private async tokenUse(c: Ctx, token: IdToken, accepted = true): Promise<void> {
    if (token.type === 'KeyCode') return;
    const e = c.event;
    const h = this.hash(token);
    if (this.on('impossible_travel')) {
      const r = this.t.impossibleTravel;
      const ms = r.windowSec * 1000;
      const entries = await this.state.window(this.state.keys.misuseToken(h, 'uses'), windowMember(escapeId(e.stationId), c.key), e.time, ms, ms, ms);
      const here = await this.metadata(e.stationId);
      const others = [];
      for (const en of entries) {
        const stationId = unescapeId(memberSubject(en.member));
        if (stationId === e.stationId) continue;
        const m = await this.metadata(stationId);
        others.push({ stationId, at: en.at, latitude: m.latitude, longitude: m.longitude, key: en.member.slice(en.member.indexOf('/') + 1) });
      }
      const f = findImpossibleTravel({ stationId: e.stationId, at: e.time, latitude: here.latitude, longitude: here.longitude }, others, r);
      if (f) {
        const other = f.other as (typeof others)[number];
        const speed = Number.isFinite(f.speedKmh) ? `${Math.round(f.speedKmh)} km/h` : 'at the same time';
        await this.find(c, {
          rule: 'impossible_travel',
          subjectParts: { tokenHash: h },
          token,
          summary: `token ${maskIdToken(token)} at ${other.stationId} and ${e.stationId}, ${Math.round(f.distanceKm)} km apart, ${Math.round(Math.abs(e.time - other.at) / 60_000)} min between (${speed})`,
          evidence: [{ key: other.key, type: 'token.use', stationId: other.stationId, time: other.at }],
          // A pair is found from whichever use is judged second; recorded under the later one, it counts once.
          eventKey: compareEventKeys(c.key, other.key) >= 0 ? c.key : other.key,
        });
      }
    }
    if (accepted && this.on('outside_allowed_hours')) {
      const hours = await (this.o.allowedHours ?? noAllowedHours).allowedHours(token);
      if (hours) {
        const tz = (await this.metadata(e.stationId)).timeZone ?? 'UTC';
        if (outsideAllowedHours(hours.windows, e.time, tz)) {
          await this.find(c, { rule: 'outside_allowed_hours', subjectParts: { tokenHash: h }, token, summary: `token ${maskIdToken(token)} used at ${e.stationId} outside its allowed hours (${tz})` });
        }
      }
    }
  }

  private async sessionStart(c: Ctx, token: IdToken, transactionId: string): Promise<void> {
    if (!this.on('concurrent_sessions') || token.type === 'KeyCode' || token.type === 'NoAuthorization') return;
    const e = c.event;
    const r = this.t.concurrentSessions;
    const h = this.hash(token);
    const open = await this.state.sessionStarted(h, { stationId: e.stationId, transactionId, startedAt: e.time }, r.staleSec * 1000);
    if (!open) return;
    const live = liveSessions(open, e.time, r);
    if (live.length < 2) return;
    const others = live.filter((s) => !(s.stationId === e.stationId && s.transactionId === transactionId));
    await this.find(c, {
      rule: 'concurrent_sessions',
      subjectParts: { tokenHash: h },
      token,
      summary: `token ${maskIdToken(token)} in ${live.length} open sessions: ${live.map((s) => `${s.stationId}#${s.transactionId}`).join(', ')}`.slice(0, 500),
      evidence: others.map((s) => ({ key: `session:${s.stationId}#${s.transactionId}`, type: 'session.open', stationId: s.stationId, transactionId: s.transactionId, time: s.startedAt })),
    });
  }

  private async bay(c: Ctx): Promise<void> {
    if (!this.on('idle_bay')) return;
    const s = baySignal(c.event);
    if (!s) return;
    const field = bayField(s.ref);
    const current = (await this.state.bays([c.event.stationId])).get(c.event.stationId)?.[field];
    const next = nextBayState(current, s.signal, c.event.time, c.key);
    if (!current && !next) return;
    // nextBayState keeps an idle period as it is, its `reported` flag included.
    await this.state.setBay(c.event.stationId, field, next, c.key, current);
  }

  /** Bays of these stations whose car stayed past the grace period, judged at each station's latest event. */
  private async idleBays(latest: Ctx[]): Promise<void> {
    const states = await this.state.bays(latest.map((c) => c.event.stationId));
    for (const c of latest) {
      for (const [field, st] of Object.entries(states.get(c.event.stationId) ?? {})) {
        if (!bayOverdue(st, c.event.time, this.t.idleBay)) continue;
        const minutes = Math.round((c.event.time - st.idleSince!) / 60_000);
        await this.find(c, {
          rule: 'idle_bay',
          subjectParts: { stationId: c.event.stationId, connector: field, other: st.idleKey },
          summary: `a car has stayed on EVSE ${field} of ${c.event.stationId} for ${minutes} min after charging ended`,
          evidence: [{ key: st.idleKey, type: 'bay.idle', stationId: c.event.stationId, evseId: Number(field), time: st.idleSince }],
        });
        await this.state.setBay(c.event.stationId, field, { ...st, reported: true }, c.key, st);
      }
    }
  }

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  /** Records a finding as (part of) an incident; the incident when this event was not recorded before. */
  private async find(c: Ctx, d: Draft): Promise<IncidentRecord | undefined> {
    const subject = incidentSubject(d.rule, d.subjectParts);
    const at = c.event.time;
    const key = d.eventKey ?? c.key;
    const dedupeKey = await this.state.episode(subject, at, this.t.mergeSec * 1000, incidentDedupeKey(subject, key));
    const finding: Finding = {
      rule: d.rule,
      severity: d.severity ?? RULE_SEVERITY[d.rule],
      subject,
      dedupeKey,
      eventKey: key,
      at,
      stationId: c.event.stationId,
      site: c.site,
      token: d.token ? this.masked(d.token) : undefined,
      summary: d.summary,
      evidence: [evidenceOf(c.key, c.event), ...(d.evidence ?? [])],
    };
    const r = await this.o.incidents.record(finding);
    if (!r) return undefined;
    if (r.created) {
      this.o.logger.warn({ incident: r.incident.id, rule: d.rule, severity: finding.severity, stationId: c.event.stationId, token: finding.token?.masked }, 'misuse incident opened');
      this.o.onIncident?.(r.incident);
      if (d.token && this.o.blockOn?.has(d.rule)) await this.block(r.incident, d.token);
    }
    return r.incident;
  }

  private async block(incident: IncidentRecord, token: IdToken): Promise<void> {
    const blocker = this.o.blocker ?? unavailableTokenBlocker;
    const actor = systemActor('misuse-detection');
    let result: string;
    if (!blocker.available) result = 'unavailable';
    else {
      try {
        result = (await blocker.block(token.type, token.id, actor, `misuse incident ${incident.id}: ${incident.rule}`)) ? 'blocked' : 'not_blocked';
      } catch (err) {
        result = 'failed';
        this.o.logger.error({ err: (err as Error).message, incident: incident.id }, 'misuse: blocking the token failed');
      }
    }
    const at = new Date(this.now());
    await this.o.incidents.setResponse(incident.id, { action: 'block_token', result, at: at.toISOString() });
    await this.o.audit
      ?.record({ at, actor, action: 'misuse.token.block', target: incident.stationId, details: { incident: incident.id, rule: incident.rule, token: maskIdToken(token), tokenType: token.type }, result })
      .catch((err: Error) => this.o.logger.error({ err: err.message, incident: incident.id }, 'misuse: audit entry of a token block not stored'));
  }
}

/** A refused transaction start as the authorization it amounts to. */
function refusal(e: ChargeEvent, idToken: IdToken, result: string): Extract<ChargeEvent, { type: 'authorization.requested' }> {
  return { type: 'authorization.requested', stationId: e.stationId, time: e.time, receivedAt: e.receivedAt, idToken, result };
}
