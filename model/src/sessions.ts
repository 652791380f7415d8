/**
 * Charging sessions as business records: what the journal's transaction and meter events say about one
 * transaction of a station, folded into facts that a store merges into one row. Events of a session
 * arrive in several journal entries, out of order (an end read before its start when another process
 * claims an entry), and more than once (redelivery, stations resending), so every fact merges the same
 * way whatever the order: the first start wins, the station's own end beats a close by policy, meter
 * readings keep their lowest and highest value. `mergeSessionFacts` is that rule; the PostgreSQL upsert
 * (platform sessions/session-store.ts) applies the same one.
 */
import type { ChargeEvent, IdToken, SampledValue } from './events';

/** The whole-connector import register, the reading a session's energy is measured by. */
export function isImportRegister(v: SampledValue): boolean {
  return v.measurand === 'Energy.Active.Import.Register' && v.unit === 'Wh' && v.phase === undefined && (v.location === undefined || v.location === 'Outlet');
}

export interface SessionEnd {
  time: number;
  stoppedReason: string;
  closedBy: 'station' | 'collector';
  meterStopWh?: number;
}

/** What the events of one batch say about one session. Absent fields: nothing said. */
export interface SessionFacts {
  stationId: string;
  transactionId: string;
  evseId?: number;
  connectorId?: number;
  site?: string;
  /** The token the session was started (or authorized) with. */
  idToken?: IdToken;
  startedAt?: number;
  meterStartWh?: number;
  end?: SessionEnd;
  firstMeterWh?: number;
  lastMeterWh?: number;
  offline?: boolean;
}

export const sessionKey = (stationId: string, transactionId: string) => `${stationId}\u0000${transactionId}`;

const min = (a: number | undefined, b: number | undefined) => (a === undefined ? b : b === undefined ? a : Math.min(a, b));
const max = (a: number | undefined, b: number | undefined) => (a === undefined ? b : b === undefined ? a : Math.max(a, b));

/** Which of two ends is kept: the station's own over a close by policy; between equals, the first recorded. */
export function preferredEnd(kept: SessionEnd | undefined, incoming: SessionEnd | undefined): SessionEnd | undefined {
  if (!kept) return incoming;
  if (!incoming) return kept;
  return kept.closedBy === 'collector' && incoming.closedBy === 'station' ? incoming : kept;
}

/** `into` with what `more` adds; commutative in everything but which of two different first values is kept. */
export function mergeSessionFacts(into: SessionFacts, more: SessionFacts): SessionFacts {
  const out: SessionFacts = { ...into };
  out.evseId ??= more.evseId;
  out.connectorId ??= more.connectorId;
  out.site ??= more.site;
  out.idToken ??= more.idToken;
  out.startedAt ??= more.startedAt;
  out.meterStartWh ??= more.meterStartWh;
  const end = preferredEnd(into.end, more.end);
  if (end) out.end = end;
  const first = min(into.firstMeterWh, more.firstMeterWh);
  if (first !== undefined) out.firstMeterWh = first;
  const last = max(into.lastMeterWh, more.lastMeterWh);
  if (last !== undefined) out.lastMeterWh = last;
  if (into.offline || more.offline) out.offline = true;
  for (const k of Object.keys(out) as Array<keyof SessionFacts>) if (out[k] === undefined) delete out[k];
  return out;
}

/** A session's facts from one event, or undefined when the event says nothing about a session. */
export function sessionFactsOf(event: ChargeEvent, site?: string): SessionFacts | undefined {
  const base = (transactionId: string): SessionFacts => ({
    stationId: event.stationId,
    transactionId,
    ...(site !== undefined ? { site } : {}),
  });
  switch (event.type) {
    case 'transaction.started': {
      const f = base(event.transactionId);
      // Connector 0 / EVSE 0 is "the station" in 1.6 ends we never saw start; a start always names its connector.
      f.evseId = event.evseId;
      f.connectorId = event.connectorId;
      f.startedAt = event.time;
      if (event.idToken) f.idToken = event.idToken;
      if (event.meterStartWh !== undefined) f.meterStartWh = event.meterStartWh;
      if (event.offline) f.offline = true;
      return f;
    }
    case 'transaction.updated': {
      const f = base(event.transactionId);
      f.evseId = event.evseId;
      f.connectorId = event.connectorId;
      // 2.0.1 stations may start a transaction before its token is presented (cable first).
      if (event.idToken) f.idToken = event.idToken;
      if (event.offline) f.offline = true;
      return f;
    }
    case 'transaction.ended': {
      const f = base(event.transactionId);
      // An end of a transaction whose start was never seen names connector 0: keep what the start said.
      if (event.evseId > 0 || event.connectorId > 0) {
        f.evseId = event.evseId;
        f.connectorId = event.connectorId;
      }
      if (event.start) {
        f.startedAt = event.start.time;
        if (event.start.meterStartWh !== undefined) f.meterStartWh = event.start.meterStartWh;
        if (event.start.idToken) f.idToken = event.start.idToken;
      }
      if (!f.idToken && event.idToken) f.idToken = event.idToken;
      const end: SessionEnd = { time: event.time, stoppedReason: event.stoppedReason, closedBy: event.closedBy ?? 'station' };
      if (event.meterStopWh !== undefined) end.meterStopWh = event.meterStopWh;
      f.end = end;
      if (event.offline) f.offline = true;
      return f;
    }
    case 'meter.sample': {
      if (!event.transactionId) return undefined;
      let lo: number | undefined;
      let hi: number | undefined;
      for (const v of event.values) {
        if (!isImportRegister(v) || !Number.isFinite(v.value)) continue;
        lo = min(lo, v.value);
        hi = max(hi, v.value);
      }
      if (lo === undefined) return undefined;
      const f = base(event.transactionId);
      f.firstMeterWh = lo;
      f.lastMeterWh = hi;
      return f;
    }
    default:
      return undefined;
  }
}

/** Every session the events name, each with the merged facts of its events. */
export function foldSessionFacts(events: Iterable<{ event: ChargeEvent; site?: string }>): Map<string, SessionFacts> {
  const out = new Map<string, SessionFacts>();
  for (const { event, site } of events) {
    const f = sessionFactsOf(event, site);
    if (!f) continue;
    const key = sessionKey(f.stationId, f.transactionId);
    const had = out.get(key);
    out.set(key, had ? mergeSessionFacts(had, f) : f);
  }
  return out;
}
