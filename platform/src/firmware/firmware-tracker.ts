/**
 * The journal consumer `firmware` (run by the worker): for each firmware status, boot and connection
 * close of a station it applies the reducer (model firmware-update.ts) to the station's open update and
 * stores the result; on every boot it records the version when it changed and ends the station's open
 * maintenance period; it opens one when an update takes the station down (Installing, InstallRebooting,
 * the connection closing while installing).
 *
 * Each event is handled in one PostgreSQL transaction with the update's row locked. Replays change
 * nothing: an update remembers the key of the last event it applied (eventKey) and skips keys not after
 * it; events received before an update was requested never apply to it; version rows are keyed by
 * station and boot time; a period opens only when none is open and a boot closes only one begun before.
 */
import {
  JOURNAL_CONSUMERS,
  advanceFirmwareUpdate,
  appendTimeline,
  compareEventKeys,
  eventKey,
  isFinalFirmwareState,
  type ChargeEvent,
  type ConnectionClosed,
  type FirmwareStatus,
  type StationBooted,
} from '@chargewatch/model';
import type { JournalEntry, JournalHandler } from '../journal/journal-consumer';
import type { Logger } from '../logger';
import type { FirmwareUpdateRecord, FirmwareUpdates } from './firmware-updates';

type TrackedEvent = FirmwareStatus | StationBooted | ConnectionClosed;

const TRACKED = new Set<ChargeEvent['type']>(['firmware.status', 'station.booted', 'connection.closed']);
const isTracked = (e: ChargeEvent): e is TrackedEvent => TRACKED.has(e.type);

/** The maintenance reason of a firmware install. */
export const MAINTENANCE_FIRMWARE = 'firmware_update';

export interface FirmwareTrackerOptions {
  updates: FirmwareUpdates;
  logger: Logger;
  /** Called after an update's change is committed (campaigns follow their updates with it). */
  onChange?: (update: FirmwareUpdateRecord, previous: FirmwareUpdateRecord) => void | Promise<void>;
}

export class FirmwareTracker implements JournalHandler {
  readonly group = JOURNAL_CONSUMERS.firmware;

  constructor(private readonly o: FirmwareTrackerOptions) {}

  async handle(entries: JournalEntry[]): Promise<void> {
    const items: Array<{ key: string; event: TrackedEvent }> = [];
    for (const { id, entry } of entries) {
      if (entry.kind !== 'events') continue;
      entry.events.forEach((e, i) => {
        if (isTracked(e)) items.push({ key: eventKey(id, i), event: e });
      });
    }
    if (items.length === 0) return;
    // A close matters only to a station with an open update: one query for the batch spares the rest.
    const closing = [...new Set(items.filter((x) => x.event.type === 'connection.closed').map((x) => x.event.stationId))];
    const open = await this.o.updates.stationsWithOpenUpdates(closing);
    for (const { key, event } of items) {
      if (event.type === 'connection.closed' && !open.has(event.stationId)) continue;
      await this.apply(key, event);
    }
  }

  /** Applies one event; exported for tests through the class. */
  async apply(key: string, event: TrackedEvent): Promise<void> {
    const { updates } = this.o;
    const changed = await updates.transaction(async (c) => {
      let result: { next: FirmwareUpdateRecord; previous: FirmwareUpdateRecord } | undefined;
      const u = await updates.lockOpen(c, event.stationId);
      if (u && (u.lastEvent === undefined || compareEventKeys(key, u.lastEvent) > 0)) {
        const r = advanceFirmwareUpdate(u, event, { targetVersion: u.targetVersion, versionMatch: u.versionMatch });
        const next: FirmwareUpdateRecord = { ...u, ...r.update, lastEvent: key, timeline: r.changed ? appendTimeline(u.timeline, r.entry) : u.timeline };
        await updates.save(next, c);
        if (r.changed) result = { next, previous: u };
        if (r.maintenance === 'open') {
          await updates.history.openMaintenance({ stationId: u.stationId, at: event.receivedAt, reason: MAINTENANCE_FIRMWARE, updateId: u.id, campaignId: u.campaignId }, c);
        } else if (r.maintenance === 'close' && event.type !== 'station.booted') {
          await updates.history.closeMaintenance(u.stationId, event.receivedAt, c);
        }
        if (r.changed && isFinalFirmwareState(next.state)) {
          this.o.logger.info({ stationId: u.stationId, updateId: u.id, state: next.state, reason: next.failureReason }, 'firmware update finished');
        }
      }
      if (event.type === 'station.booted') {
        await updates.history.closeMaintenance(event.stationId, event.receivedAt, c);
        if (event.firmwareVersion) {
          await updates.history.recordBoot({ stationId: event.stationId, vendor: event.vendor, model: event.model, version: event.firmwareVersion, at: event.receivedAt }, c);
        }
      }
      return result;
    });
    if (changed && this.o.onChange) {
      try {
        await this.o.onChange(changed.next, changed.previous);
      } catch (err) {
        this.o.logger.warn({ err: (err as Error).message, updateId: changed.next.id }, 'firmware onChange hook failed');
      }
    }
  }
}
