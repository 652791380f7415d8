/**
 * Firmware against real PostgreSQL and Redis, with a scripted command bus (the collector's side of the
 * command path is tested with simulated stations in collector/test/integration/firmware-simulator):
 * the catalogue's rules, starting an update in the form each station takes, the tracker moving updates
 * from journal entries to verified or failed, idempotent replays, maintenance periods and timeouts.
 */
import type { Pool } from 'pg';
import { createTestDatabase, dropTestDatabase } from '@chargewatch/tools';
import { type ChargeEvent, type CommandRecord, type CommandResult, type Command } from '@chargewatch/model';
import {
  FirmwareCatalogue,
  FirmwareCatalogueError,
  FirmwareTracker,
  FirmwareUpdateError,
  FirmwareUpdates,
  StationStore,
  createDatabasePool,
  migrateDatabase,
  runFirmwareTimeouts,
  silentLogger,
  startFirmwareUpdate,
  validateFirmwareRelease,
  type AuditEntry,
  type FirmwareServiceDeps,
  type JournalEntry,
} from '../../src';
import { redisPerTest } from './redis-per-test';

const actor = { kind: 'grafana-user' as const, name: 'ann', role: 'editor' as const };
const CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

/** A command bus that answers each submission with the next scripted result. */
class ScriptedBus {
  readonly sent: CommandRecord[] = [];
  answers: Array<CommandResult | ((c: Command) => CommandResult)> = [];
  async submit(stationId: string, command: Command, opts: { actor: CommandRecord['actor']; id?: string }): Promise<CommandRecord> {
    // As the real bus: a submitter-chosen id already stored queues nothing.
    const known = opts.id ? this.sent.find((x) => x.id === opts.id) : undefined;
    if (known) return { ...known };
    const r: CommandRecord = { id: opts.id ?? `cmd-${this.sent.length + 1}`, stationId, name: command.name, params: command.params, actor: opts.actor, status: 'queued', submittedAt: Date.now(), deadline: Date.now() + 60_000, waitForConnection: true };
    this.sent.push(r);
    const answer = this.answers.shift();
    if (answer) {
      const result = typeof answer === 'function' ? answer(command) : answer;
      Object.assign(r, { status: result.status, result, finishedAt: Date.now() });
    }
    return { ...r };
  }
  async wait(id: string): Promise<CommandRecord | undefined> {
    return this.get(id);
  }
  async get(id: string): Promise<CommandRecord | undefined> {
    const r = this.sent.find((x) => x.id === id);
    return r ? { ...r } : undefined;
  }
}

const NOT_SUPPORTED_PLAIN: CommandResult = { status: 'not_supported', reason: 'CALLERROR NotSupported', data: { code: 'NotSupported', secureUpdateRequired: true } };

describe('firmware', () => {
  const r = redisPerTest('firmware');
  let url: string;
  let pool: Pool;
  let updates: FirmwareUpdates;
  let catalogue: FirmwareCatalogue;
  let bus: ScriptedBus;
  let audit: AuditEntry[];
  let deps: FirmwareServiceDeps;
  let tracker: FirmwareTracker;
  let seq = 0;

  beforeAll(async () => {
    url = await createTestDatabase('firmware');
    await migrateDatabase(url, silentLogger);
    pool = createDatabasePool(url, silentLogger);
  });
  afterAll(async () => {
    await pool.end();
    await dropTestDatabase(url);
  });
  beforeEach(async () => {
    await pool.query('TRUNCATE maintenance_periods, station_firmware_versions, station_firmware_forms, firmware_updates, firmware_targets, firmware_releases RESTART IDENTITY CASCADE');
    updates = new FirmwareUpdates(pool);
    catalogue = new FirmwareCatalogue(pool);
    bus = new ScriptedBus();
    audit = [];
    const stations = new StationStore(r.redis, r.prefix);
    deps = { updates, catalogue, bus, stations, audit: { record: async (e) => void audit.push(e), list: async () => ({ total: 0, items: [] }) }, logger: silentLogger };
    tracker = new FirmwareTracker({ updates, logger: silentLogger });
  });

  const stationStore = () => new StationStore(r.redis, r.prefix);
  async function station(id: string, protocol: string, version = '1.0', vendor = 'V', model = 'M') {
    const t = Date.now() - 1000;
    await stationStore().apply([
      { type: 'connection.opened', stationId: id, time: t, receivedAt: t, remoteAddress: '127.0.0.1', protocol, collectorId: 'c1', replaced: false },
      { type: 'station.booted', stationId: id, time: t, receivedAt: t, vendor, model, firmwareVersion: version, registration: 'Accepted' },
    ]);
  }
  async function release(extra: Record<string, unknown> = {}) {
    const v = validateFirmwareRelease({ vendor: 'V', model: 'M', version: '2.0', location: 'https://fw.example.com/fw-2.0.bin', ...extra });
    if (!v.ok) throw new Error(v.errors.join('; '));
    return catalogue.createRelease(v.release, actor);
  }
  /** One journal entry per event, ids in order as the stream gives them. */
  function entries(events: ChargeEvent[]): JournalEntry[] {
    return events.map((e) => ({ id: `${1_700_000_000_000 + ++seq}-0`, entry: { kind: 'events', version: 1, events: [e], stations: {} } }));
  }
  const at = () => Date.now();
  const status = (stationId: string, s: string, requestId?: number): ChargeEvent => ({ type: 'firmware.status', stationId, time: at(), receivedAt: at(), status: s, ...(requestId ? { requestId } : {}) });
  const boot = (stationId: string, version: string, reason?: string): ChargeEvent => ({
    type: 'station.booted',
    stationId,
    time: at(),
    receivedAt: at(),
    vendor: 'V',
    model: 'M',
    firmwareVersion: version,
    registration: 'Accepted',
    ...(reason ? { reason } : {}),
  });
  const closed = (stationId: string): ChargeEvent => ({ type: 'connection.closed', stationId, time: at(), receivedAt: at(), code: 1000, reason: 'Rebooting', collectorId: 'c1' });
  const tick = () => new Promise((res) => setTimeout(res, 3));

  it('catalogue: duplicates, targets of the wrong model, releases in use', async () => {
    const rel = await release();
    await expect(release()).rejects.toMatchObject({ code: 'duplicate' });
    const other = await catalogue.createRelease({ vendor: 'W', model: 'M', version: '1', location: 'https://x.example/a', versionMatch: { mode: 'exact' } }, actor);
    await expect(catalogue.setTarget('V', 'M', other.id, actor)).rejects.toMatchObject({ code: 'wrong_model' });
    expect(await catalogue.setTarget('V', 'M', rel.id, actor)).toMatchObject({ vendor: 'V', model: 'M', releaseId: rel.id, version: '2.0', setBy: 'ann' });
    await expect(catalogue.deleteRelease(rel.id)).rejects.toBeInstanceOf(FirmwareCatalogueError);
    expect((await catalogue.deleteRelease(other.id)).id).toBe(other.id);
    await catalogue.setTarget('V', 'M', null, actor);
    expect(await catalogue.listTargets()).toEqual([]);
  });

  it('1.6 core: plain UpdateFirmware, statuses by time, verified at the boot; replay changes nothing', async () => {
    await station('CP16', 'ocpp1.6');
    const rel = await release();
    bus.answers = [{ status: 'accepted', data: { secure: false } }];
    const u = await startFirmwareUpdate(deps, { stationId: 'CP16', releaseId: rel.id, actor });
    expect(u).toMatchObject({ state: 'accepted', form: 'plain', fromVersion: '1.0', protocol: 'ocpp1.6' });
    expect(u.requestId).toBeUndefined();
    expect(bus.sent[0]!.params).toEqual({ location: 'https://fw.example.com/fw-2.0.bin', retrieveAt: expect.any(String) });
    expect(audit.map((e) => e.action)).toEqual(['command.UpdateFirmware', 'firmware.update.start']);
    await tick();
    const batch = entries([status('CP16', 'Downloading'), status('CP16', 'Downloaded'), status('CP16', 'Installing'), closed('CP16'), boot('CP16', '2.0'), status('CP16', 'Installed')]);
    for (const e of batch) {
      await tracker.handle([e]);
      await tick();
    }
    const done = (await updates.get(u.id))!;
    expect(done).toMatchObject({ state: 'verified', reportedVersion: '2.0' });
    expect(done.timeline.map((e) => e.event)).toEqual(['requested', 'command', 'status', 'status', 'status', 'disconnected', 'boot']);
    const periods = await updates.history.listMaintenance({ stationId: 'CP16' });
    expect(periods.items).toHaveLength(1);
    expect(periods.items[0]).toMatchObject({ reason: 'firmware_update', updateId: u.id, endedAt: expect.any(Date) });
    expect((await updates.history.versions('CP16')).map((v) => v.version)).toEqual(['2.0']);

    // The same entries again (a redelivery after a crash): nothing moves.
    const snapshot = async () => (await pool.query("SELECT (SELECT json_agg(u ORDER BY id) FROM firmware_updates u) AS u, (SELECT json_agg(m ORDER BY id) FROM maintenance_periods m) AS m, (SELECT json_agg(v ORDER BY id) FROM station_firmware_versions v) AS v")).rows[0];
    const before = await snapshot();
    await tracker.handle(batch);
    expect(await snapshot()).toEqual(before);
  });

  it('1.6 signed-only station: NotSupported to plain, sent signed and remembered; the next update goes signed at once', async () => {
    await station('WP16', 'ocpp1.6');
    const rel = await release({ signingCertificate: CERT, signature: 'c2ln' });
    bus.answers = [NOT_SUPPORTED_PLAIN, { status: 'accepted', data: { secure: true } }];
    const u = await startFirmwareUpdate(deps, { stationId: 'WP16', releaseId: rel.id, actor });
    expect(u).toMatchObject({ state: 'accepted', form: 'signed', requestId: Number(u.id) });
    expect(bus.sent.map((c) => (c.params as { signature?: string }).signature !== undefined)).toEqual([false, true]);
    expect(bus.sent[1]!.params).toMatchObject({ signingCertificate: CERT, signature: 'c2ln', requestId: Number(u.id) });
    expect(u.timeline.some((e) => /refused the plain form/.test(e.note ?? ''))).toBe(true);
    expect(await updates.getForm('WP16')).toBe('signed');
    expect(audit.map((e) => e.action)).toEqual(['command.UpdateFirmware', 'command.UpdateFirmware', 'firmware.update.start']);

    await updates.transaction(async (c) => {
      const open = (await updates.lockOpen(c, 'WP16'))!;
      await updates.save({ ...open, state: 'cancelled', finishedAt: Date.now() }, c);
    });
    bus.answers = [{ status: 'accepted', data: { secure: true } }];
    const second = await startFirmwareUpdate(deps, { stationId: 'WP16', releaseId: rel.id, actor, force: true });
    expect(second).toMatchObject({ state: 'accepted', form: 'signed' });
    expect(bus.sent).toHaveLength(3);
  });

  it('1.6 signed-only station and an unsigned release: not_supported, and the station is remembered as signed-only', async () => {
    await station('WP17', 'ocpp1.6');
    const rel = await release();
    bus.answers = [NOT_SUPPORTED_PLAIN];
    const u = await startFirmwareUpdate(deps, { stationId: 'WP17', releaseId: rel.id, actor });
    expect(u).toMatchObject({ state: 'failed', failureReason: 'not_supported' });
    expect(u.timeline.at(-1)!.note).toMatch(/signed firmware only/);
    expect(await updates.getForm('WP17')).toBe('signed');
  });

  it('1.6 core station remembered as signed: NotImplemented to SignedUpdateFirmware, sent plain and remembered', async () => {
    await station('CORE', 'ocpp1.6');
    const rel = await release({ signingCertificate: CERT, signature: 'c2ln' });
    await updates.rememberForm('CORE', 'signed', Date.now(), 'an older firmware');
    bus.answers = [{ status: 'not_supported', reason: 'CALLERROR NotImplemented', data: { code: 'NotImplemented', description: '' } }, { status: 'accepted' }];
    const u = await startFirmwareUpdate(deps, { stationId: 'CORE', releaseId: rel.id, actor });
    expect(u).toMatchObject({ state: 'accepted', form: 'plain' });
    expect(u.requestId).toBeUndefined();
    expect(bus.sent.map((c) => (c.params as { signature?: string }).signature !== undefined)).toEqual([true, false]);
    expect(await updates.getForm('CORE')).toBe('plain');
  });

  it('2.0.1: requestId matching, a failure keeps its reason, one open update per station', async () => {
    await station('CP201', 'ocpp2.0.1');
    const rel = await release();
    bus.answers = [{ status: 'accepted' }];
    const u = await startFirmwareUpdate(deps, { stationId: 'CP201', releaseId: rel.id, actor, installAt: Date.now() + 60_000 });
    expect(bus.sent[0]!.params).toMatchObject({ requestId: Number(u.id), installAt: expect.any(String) });
    await expect(startFirmwareUpdate(deps, { stationId: 'CP201', releaseId: rel.id, actor })).rejects.toMatchObject({ code: 'open_update', openUpdateId: u.id });
    await tick();
    await tracker.handle(entries([status('CP201', 'Downloading', 999), status('CP201', 'Downloading', u.requestId), status('CP201', 'DownloadFailed', u.requestId)]));
    const failed = (await updates.get(u.id))!;
    expect(failed).toMatchObject({ state: 'failed', failureReason: 'DownloadFailed' });
    expect(failed.timeline.filter((e) => e.event === 'status')).toHaveLength(2);
    // Finished: a new one may start; supersede ends an open one.
    bus.answers = [{ status: 'accepted' }, { status: 'accepted' }];
    const next = await startFirmwareUpdate(deps, { stationId: 'CP201', releaseId: rel.id, actor });
    const newer = await startFirmwareUpdate(deps, { stationId: 'CP201', releaseId: rel.id, actor, supersede: true });
    expect((await updates.get(next.id))!).toMatchObject({ state: 'failed', failureReason: 'superseded' });
    expect(newer.state).toBe('accepted');
  });

  it('2.0.1: a FirmwareUpdate boot with the old version fails old_version and closes the maintenance period', async () => {
    await station('CP201B', 'ocpp2.0.1');
    const rel = await release();
    bus.answers = [{ status: 'accepted' }];
    const u = await startFirmwareUpdate(deps, { stationId: 'CP201B', releaseId: rel.id, actor });
    await tick();
    await tracker.handle(entries([status('CP201B', 'Installing', u.requestId), status('CP201B', 'InstallRebooting', u.requestId), boot('CP201B', '1.0', 'FirmwareUpdate')]));
    expect(await updates.get(u.id)).toMatchObject({ state: 'failed', failureReason: 'old_version', reportedVersion: '1.0' });
    const { items } = await updates.history.listMaintenance({ stationId: 'CP201B' });
    expect(items).toHaveLength(1);
    expect(items[0]!.endedAt).toBeDefined();
  });

  it('refuses unknown releases, other models and stations already on the version', async () => {
    await station('CPX', 'ocpp1.6', '2.0');
    const rel = await release();
    await expect(startFirmwareUpdate(deps, { stationId: 'CPX', releaseId: '999', actor })).rejects.toMatchObject({ code: 'unknown_release' });
    await expect(startFirmwareUpdate(deps, { stationId: 'NOPE', releaseId: rel.id, actor })).rejects.toMatchObject({ code: 'unknown_station' });
    await expect(startFirmwareUpdate(deps, { stationId: 'CPX', releaseId: rel.id, actor })).rejects.toBeInstanceOf(FirmwareUpdateError);
    await station('CPW', 'ocpp1.6', '1.0', 'V', 'Other');
    await expect(startFirmwareUpdate(deps, { stationId: 'CPW', releaseId: rel.id, actor })).rejects.toMatchObject({ code: 'wrong_model' });
  });

  it('timeouts: a silent download ends stage_timeout, a station that never returns no_return; a late result is settled', async () => {
    await station('T1', 'ocpp1.6');
    await station('T2', 'ocpp1.6');
    await station('T3', 'ocpp1.6');
    const rel = await release();
    bus.answers = [{ status: 'accepted' }, { status: 'accepted' }];
    const a = await startFirmwareUpdate(deps, { stationId: 'T1', releaseId: rel.id, actor });
    const b = await startFirmwareUpdate(deps, { stationId: 'T2', releaseId: rel.id, actor });
    const c = await startFirmwareUpdate(deps, { stationId: 'T3', releaseId: rel.id, actor, waitMs: 0 });
    expect(c.state).toBe('requested');
    await tick();
    await tracker.handle(entries([status('T2', 'Installing'), closed('T2')]));
    bus.sent.at(-1)!.result = { status: 'rejected', reason: 'station answered Rejected' };
    const later = Date.now() + 2 * 3600_000;
    const res = await runFirmwareTimeouts({ ...deps, now: () => later }, {});
    expect(res).toEqual({ settled: 1, timedOut: 2 });
    expect(await updates.get(a.id)).toMatchObject({ failureReason: 'stage_timeout' });
    expect(await updates.get(b.id)).toMatchObject({ failureReason: 'no_return' });
    expect(await updates.get(c.id)).toMatchObject({ failureReason: 'rejected' });
    // Still down: the maintenance period stays open until the station boots.
    expect((await updates.history.listMaintenance({ stationId: 'T2' })).items[0]!.endedAt).toBeUndefined();
    await tracker.handle(entries([boot('T2', '1.0')]));
    expect((await updates.history.listMaintenance({ stationId: 'T2' })).items[0]!.endedAt).toBeDefined();
  });

  it('an update left without a recorded command by a dead process is submitted once, under its own id', async () => {
    await station('U1', 'ocpp1.6');
    const rel = await release();
    bus.answers = [{ status: 'accepted' }];
    const first = await startFirmwareUpdate(deps, { stationId: 'U1', releaseId: rel.id, actor });
    expect(bus.sent.map((c) => c.id)).toEqual([`firmware-update-${first.id}-plain`]);
    // The process died after submitting and before recording the command.
    await pool.query('UPDATE firmware_updates SET command_id = NULL, state = $2 WHERE id = $1', [first.id, 'requested']);
    const later = Date.now() + 2 * 60_000;
    const res = await runFirmwareTimeouts({ ...deps, now: () => later }, {});
    expect(res.resubmitted).toBe(1);
    // The bus found the command it had: nothing went to the station twice.
    expect(bus.sent).toHaveLength(1);
    expect(await updates.get(first.id)).toMatchObject({ commandId: `firmware-update-${first.id}-plain`, state: 'accepted' });
  });

  it('the tracker ignores closes of stations without an open update and records version changes only', async () => {
    const events: ChargeEvent[] = [closed('Z1')];
    for (const v of ['1.0', '1.0', '1.1']) {
      await tick();
      events.push(boot('Z1', v));
    }
    await tracker.handle(entries(events));
    expect((await updates.history.versions('Z1')).map((v) => v.version)).toEqual(['1.1', '1.0']);
  });
});
