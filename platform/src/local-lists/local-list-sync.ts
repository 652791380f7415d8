/**
 * Keeps a station's local authorization list equal to what the registry allows there (rules in
 * model/src/local-list.ts and local-list-sync.ts):
 *
 * `syncStation` — under the station's lock: learn the limits when unknown or the station booted since;
 * compute the desired list; send a Full (never synced, after VersionMismatch/Failed/uncertainty, drift,
 * or when asked) or the Differential from the stored list, cut into requests, in order, through the
 * command bus with ids derived from station, version and content (a retry after a crash returns the
 * stored command instead of sending another). Each Accepted request moves the stored version and list
 * at once, so a sync cut short leaves the row saying what the station holds. A Differential refused
 * with VersionMismatch/Failed is followed by a Full in the same sync.
 *
 * `checkDrift` — GetLocalListVersion; another version than the stored one (the station lost or replaced
 * its list) makes the next sync a Full and runs it.
 */
import { createHash } from 'node:crypto';
import {
  afterSyncOutcome,
  applyLocalListChunk,
  chooseUpdateType,
  chunkLocalListUpdate,
  desiredLocalList,
  diffLocalList,
  driftVerdict,
  localListOutcome,
  nextDueAt,
  systemActor,
  type Actor,
  type Command,
  type CommandRecord,
  type LocalListOutcome,
  type LocalListProtocol,
  type LocalListSourceToken,
  type SyncSchedule,
} from '@chargewatch/model';
import type { AuditLog } from '../audit/audit-log';
import { commandSubmittedEntry } from '../commands/command-audit';
import type { CommandBus } from '../commands/command-bus';
import type { Logger } from '../logger';
import type { StationState } from '../state/station-state';
import { limitSettings, readLimits } from './local-list-limits';
import { newLocalListRow, type LocalListRow, type LocalListStore } from './local-list-store';

export interface LocalListSyncDeps {
  store: LocalListStore;
  tokens: { tokensAllowedAt(stationId: string, siteId?: string): Promise<LocalListSourceToken[]> };
  stations: { get(stationId: string): Promise<StationState | undefined> };
  bus: Pick<CommandBus, 'submit' | 'wait'>;
  audit?: AuditLog;
  logger: Logger;
  schedule: SyncSchedule;
  /** How long one command may wait for its station's answer (its deadline too). Default 60 s. */
  commandWaitMs?: number;
  actor?: Actor;
  now?: () => number;
  /** Told how each sync or check ended (metrics). */
  onOutcome?: (kind: 'full' | 'differential' | 'check' | 'limits', outcome: LocalListOutcome) => void;
}

export interface SyncReport {
  stationId: string;
  state: LocalListRow['state'] | 'skipped';
  outcome?: LocalListOutcome;
  updateType?: 'full' | 'differential';
  requests: number;
  version?: number;
  entries?: number;
  reason?: string;
}

const PROTOCOLS: readonly string[] = ['ocpp1.6', 'ocpp2.0.1'];
const hash = (s: string, n: number) => createHash('sha256').update(s).digest('hex').slice(0, n);

/** The id of one list request: the same station, version and content give the same command. */
export const localListCommandId = (stationId: string, command: Command) =>
  `local-list-${hash(stationId, 16)}-${'version' in command.params ? String(command.params.version) : 'q'}-${hash(JSON.stringify(command), 12)}`;

export class LocalListSync {
  private readonly now: () => number;
  private readonly actor: Actor;

  constructor(private readonly d: LocalListSyncDeps) {
    this.now = d.now ?? Date.now;
    this.actor = d.actor ?? systemActor('local-list-sync');
  }

  /** Syncs one station; `skipped` when another sync holds it or it is unknown. */
  async syncStation(stationId: string, opts: { full?: boolean } = {}): Promise<SyncReport> {
    const r = await this.d.store.withStationLock(stationId, () => this.locked(stationId, opts.full ?? false, false));
    return r ?? { stationId, state: 'skipped', requests: 0, reason: 'another sync of this station is running' };
  }

  /** GetLocalListVersion; drift → a Full sync. */
  async checkDrift(stationId: string): Promise<SyncReport> {
    const r = await this.d.store.withStationLock(stationId, () => this.locked(stationId, false, true));
    return r ?? { stationId, state: 'skipped', requests: 0, reason: 'another sync of this station is running' };
  }

  private async locked(stationId: string, forceFull: boolean, checkOnly: boolean): Promise<SyncReport> {
    const station = await this.d.stations.get(stationId);
    if (!station) return { stationId, state: 'skipped', requests: 0, reason: 'unknown station' };
    const startedAt = this.now();
    const row: LocalListRow = { ...((await this.d.store.get(stationId)) ?? newLocalListRow(stationId, startedAt)), lastAttemptAt: startedAt };
    const full = forceFull || row.requestedFull;
    row.requestedFull = false;
    const protocol = station.protocol;
    if (protocol) row.protocol = protocol;
    const end = async (outcome: LocalListOutcome, extra: Partial<SyncReport> = {}, error?: string): Promise<SyncReport> => {
      const at = this.now();
      const next = afterSyncOutcome(row, outcome);
      Object.assign(row, next, { lastOutcome: outcome, nextDueAt: nextDueAt(next.state, next.failures, at, this.d.schedule) });
      if (outcome === 'accepted') {
        delete row.lastError;
        row.lastSyncAt = at;
      } else if (error) row.lastError = error;
      await this.d.store.save(row);
      return { stationId, state: row.state, outcome, requests: 0, ...(row.version !== undefined ? { version: row.version } : {}), entries: row.entries.length, ...extra };
    };
    if (!protocol || !PROTOCOLS.includes(protocol)) return end('not_supported', {}, `protocol ${protocol ?? 'unknown'} has no local list support here`);
    if (!station.online) return end('offline', {}, 'the station is offline');
    // Limits: unknown, or the station booted since they were learned (new firmware, new configuration).
    if (row.limitsLearnedAt === undefined || (station.lastBoot !== undefined && station.lastBoot > row.limitsLearnedAt)) {
      const cmd = await this.send(stationId, { name: 'GetSettings', params: { settings: limitSettings(protocol) } });
      const learned = readLimits(protocol, cmd);
      if (!learned) {
        const outcome = localListOutcome(cmd.result);
        this.d.onOutcome?.('limits', outcome);
        return end(outcome === 'accepted' ? 'error' : outcome, {}, `reading the list limits: ${cmd.result?.reason ?? cmd.status}`);
      }
      this.d.onOutcome?.('limits', learned.supported ? 'accepted' : 'not_supported');
      row.limitsLearnedAt = this.now();
      if (!learned.supported) return end('not_supported', {}, learned.reason);
      row.limits = learned.limits;
      // It has a list now (new firmware, new configuration): start again from a Full.
      if (row.state === 'unsupported') Object.assign(row, { state: 'pending', needsFull: true });
    }
    if (row.state === 'unsupported' && !full) return end('not_supported', {}, row.lastError);
    if (checkOnly) {
      const cmd = await this.send(stationId, { name: 'GetLocalListVersion', params: {} });
      const v = driftVerdict(row.version, cmd.result);
      row.lastCheckAt = this.now();
      if (v.verdict === 'outcome') {
        this.d.onOutcome?.('check', v.outcome);
        return end(v.outcome, {}, cmd.result?.reason);
      }
      this.d.onOutcome?.('check', 'accepted');
      if (v.verdict === 'in_sync' && !row.needsFull) return end('accepted', { reason: 'the station holds the stored version' });
      row.needsFull = true;
      this.d.logger.info({ stationId, stored: row.version, reported: cmd.result?.data?.version }, 'local list drifted; sending a Full');
    }
    const tokens = await this.d.tokens.tokensAllowedAt(stationId, station.metadata.site);
    const desired = desiredLocalList(tokens, { protocol: protocol as LocalListProtocol, stationId, ...(station.metadata.site ? { siteId: station.metadata.site } : {}), now: this.now(), ...(row.limits.maxEntries !== undefined ? { maxEntries: row.limits.maxEntries } : {}) });
    row.skipped = desired.skipped;
    let type = chooseUpdateType(row, full);
    let requests = 0;
    for (;;) {
      const r = await this.update(stationId, protocol as LocalListProtocol, row, desired.items, type);
      requests += r.requests;
      this.d.onOutcome?.(type, r.outcome);
      // OCPP: after Failed or VersionMismatch on a Differential, send a Full.
      if (type === 'differential' && (r.outcome === 'version_mismatch' || r.outcome === 'failed')) {
        type = 'full';
        continue;
      }
      return end(r.outcome, { updateType: type, requests }, r.error);
    }
  }

  /** Sends one update (all its requests); stores each accepted one as it goes. */
  private async update(stationId: string, protocol: LocalListProtocol, row: LocalListRow, desired: LocalListRow['entries'], type: 'full' | 'differential'): Promise<{ outcome: LocalListOutcome; requests: number; error?: string }> {
    let base = row.version ?? 0;
    if (type === 'full') {
      // A Full's version is above both ours and the station's, so a later check tells them apart.
      const cmd = await this.send(stationId, { name: 'GetLocalListVersion', params: {} });
      const outcome = localListOutcome(cmd.result);
      if (outcome !== 'accepted') return { outcome, requests: 0, error: cmd.result?.reason ?? cmd.status };
      const reported = Number(cmd.result?.data?.version);
      if (Number.isInteger(reported) && reported > base) base = reported;
    }
    let chunks;
    try {
      chunks = type === 'full' ? chunkLocalListUpdate(protocol, { full: true, items: desired }, base, row.limits) : chunkLocalListUpdate(protocol, { full: false, changes: diffLocalList(row.entries, desired) }, base, row.limits);
    } catch (err) {
      return { outcome: 'error', requests: 0, error: (err as Error).message };
    }
    let requests = 0;
    for (const chunk of chunks) {
      const cmd = await this.send(stationId, { name: 'SendLocalList', params: chunk.params });
      requests++;
      const outcome = localListOutcome(cmd.result);
      if (outcome !== 'accepted') return { outcome, requests, error: cmd.result?.reason ?? `the request is still ${cmd.status}` };
      row.entries = applyLocalListChunk(type === 'full' && chunk === chunks[0] ? [] : row.entries, chunk);
      row.version = chunk.params.version;
      // Saved per request: the row always says what the station holds.
      await this.d.store.save(row);
    }
    return { outcome: 'accepted', requests };
  }

  /**
   * Submits (not waiting for a connection) and waits for the result; audits the submission. A list
   * request goes under its derived id: a sync retried after a crash finds the request the station
   * accepted instead of sending it again; a stored request that did not end accepted is sent anew.
   */
  private async send(stationId: string, command: Command): Promise<CommandRecord> {
    const waitMs = this.d.commandWaitMs ?? 60_000;
    const derived = command.name === 'SendLocalList' ? localListCommandId(stationId, command) : undefined;
    const submit = (id?: string) => this.d.bus.submit(stationId, command, { actor: this.actor, deadlineMs: waitMs, waitForConnection: false, ...(id ? { id } : {}) });
    const before = this.now();
    let submitted = await submit(derived);
    if (derived && submitted.result && submitted.submittedAt < before && submitted.result.status !== 'accepted') submitted = await submit(`${derived}-r${hash(String(this.now()) + Math.random(), 8)}`);
    if (this.d.audit) await this.d.audit.record(commandSubmittedEntry(submitted)).catch((err: Error) => this.d.logger.warn({ err: err.message, commandId: submitted.id }, 'local list: audit entry not stored'));
    if (submitted.result) return submitted;
    return (await this.d.bus.wait(submitted.id, waitMs + 15_000)) ?? submitted;
  }
}
