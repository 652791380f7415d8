import fc from 'fast-check';
import { FIRMWARE_STATUSES_SECURE, isFinalFirmwareState } from '../../src/firmware';
import { advanceFirmwareUpdate, appendTimeline, type FirmwareUpdateEvent, type FirmwareUpdateProgress, type FirmwareTimelineEntry } from '../../src/firmware-update';
import { COMMAND_OUTCOMES } from '../../src/commands';

const ctx = { targetVersion: '2.0', versionMatch: { mode: 'exact' as const } };
const T0 = 1_000_000;
const base = { stationId: 'CP-1' };

const status = (s: string, at: number, requestId?: number): FirmwareUpdateEvent => ({ type: 'firmware.status', ...base, time: at, receivedAt: at, status: s, ...(requestId !== undefined ? { requestId } : {}) });
const boot = (version: string | undefined, at: number, reason?: string): FirmwareUpdateEvent => ({
  type: 'station.booted',
  ...base,
  time: at,
  receivedAt: at,
  vendor: 'V',
  model: 'M',
  ...(version !== undefined ? { firmwareVersion: version } : {}),
  ...(reason ? { reason } : {}),
  registration: 'Accepted',
});
const closed = (at: number): FirmwareUpdateEvent => ({ type: 'connection.closed', ...base, time: at, receivedAt: at, code: 1000, reason: '', collectorId: 'c' });
const command = (outcome: (typeof COMMAND_OUTCOMES)[number], at: number): FirmwareUpdateEvent => ({ type: 'firmware.command', at, outcome });

function fresh(requestId?: number): FirmwareUpdateProgress {
  return { state: 'requested', requestedAt: T0, stageAt: T0, ...(requestId !== undefined ? { requestId } : {}) };
}

function run(u: FirmwareUpdateProgress, events: FirmwareUpdateEvent[]) {
  const maintenance: string[] = [];
  let timeline: FirmwareTimelineEntry[] = [];
  for (const e of events) {
    const r = advanceFirmwareUpdate(u, e, ctx);
    if (r.changed) timeline = appendTimeline(timeline, r.entry);
    if (r.maintenance) maintenance.push(r.maintenance);
    u = r.update;
  }
  return { u, timeline, maintenance };
}

describe('advanceFirmwareUpdate', () => {
  it('1.6 core: statuses without requestId after the request, verified at the boot after Installed', () => {
    const { u, timeline, maintenance } = run(fresh(), [
      status('Downloading', T0 - 5),
      command('accepted', T0 + 10),
      status('Downloading', T0 + 20),
      status('Downloaded', T0 + 30),
      status('Installing', T0 + 40),
      closed(T0 + 50),
      status('Installed', T0 + 55),
      boot('2.0', T0 + 60),
    ]);
    expect(u).toMatchObject({ state: 'verified', reportedVersion: '2.0', finishedAt: T0 + 60 });
    expect(timeline.map((e) => e.state)).toEqual(['accepted', 'downloading', 'downloaded', 'installing', 'installing', 'installed', 'verified']);
    expect(maintenance).toEqual(['open', 'open', 'close']);
  });

  it('1.6 may boot before Installed: the boot with the target version verifies, the late Installed changes nothing', () => {
    const { u, timeline } = run(fresh(), [command('accepted', T0 + 1), status('Downloaded', T0 + 2), status('Installing', T0 + 3), closed(T0 + 4), boot('2.0', T0 + 5), status('Installed', T0 + 6)]);
    expect(u.state).toBe('verified');
    expect(timeline.at(-1)?.note).toMatch(/before Installed/);
  });

  it('Installed alone does not verify: it waits for the boot', () => {
    const { u } = run(fresh(), [command('accepted', T0 + 1), status('Installed', T0 + 2)]);
    expect(u).toMatchObject({ state: 'installed', stage: 'installed', stageAt: T0 + 2 });
  });

  it('signed and 2.0.1: statuses of another requestId are ignored; the station may report before the command result', () => {
    const { u, timeline } = run(fresh(7), [status('Downloading', T0 + 1, 8), status('Downloading', T0 + 2, 7), command('accepted', T0 + 3), status('InstallRebooting', T0 + 4, 7)]);
    expect(u).toMatchObject({ state: 'installing', stage: 'rebooting' });
    expect(timeline[0]).toMatchObject({ state: 'downloading', note: expect.stringMatching(/before the command result/) });
    expect(timeline[1]).toMatchObject({ event: 'command', status: 'accepted', state: 'downloading' });
  });

  it('a 1.6 core update ignores statuses that name a requestId', () => {
    const r = advanceFirmwareUpdate({ ...fresh(), state: 'accepted' }, status('Downloading', T0 + 1, 3), ctx);
    expect(r.changed).toBe(false);
  });

  it('2.0.1: a boot with reason FirmwareUpdate and the old version fails old_version, even before Installing', () => {
    const { u } = run(fresh(1), [command('accepted', T0 + 1), status('Downloaded', T0 + 2, 1), boot('1.0', T0 + 3, 'FirmwareUpdate')]);
    expect(u).toMatchObject({ state: 'failed', failureReason: 'old_version', reportedVersion: '1.0' });
  });

  it('a boot before installing with the old version is noted and the update waits', () => {
    const { u, timeline } = run(fresh(), [command('accepted', T0 + 1), status('Downloading', T0 + 2), boot('1.0', T0 + 3, 'PowerUp')]);
    expect(u.state).toBe('downloading');
    expect(timeline.at(-1)).toMatchObject({ event: 'boot', version: '1.0', note: expect.stringMatching(/before installing/) });
  });

  it('a boot after installing with another version fails old_version', () => {
    const { u } = run(fresh(), [command('accepted', T0 + 1), status('Installing', T0 + 2), boot('1.0', T0 + 3)]);
    expect(u).toMatchObject({ state: 'failed', failureReason: 'old_version' });
  });

  it('failure statuses keep their reason; command failures map to theirs', () => {
    expect(run(fresh(), [command('accepted', T0 + 1), status('DownloadFailed', T0 + 2)]).u).toMatchObject({ state: 'failed', failureReason: 'DownloadFailed' });
    expect(run(fresh(2), [command('accepted', T0 + 1), status('InvalidSignature', T0 + 2, 2)]).u.failureReason).toBe('InvalidSignature');
    expect(run(fresh(), [command('rejected', T0 + 1)]).u.failureReason).toBe('rejected');
    expect(run(fresh(), [command('not_supported', T0 + 1)]).u.failureReason).toBe('not_supported');
    expect(run(fresh(), [command('offline', T0 + 1)]).u.failureReason).toBe('command_failed');
    expect(run(fresh(), [command('interrupted', T0 + 1)]).u.state).toBe('accepted');
  });

  it('timeouts, cancel and supersede end the update', () => {
    expect(run(fresh(), [command('accepted', T0 + 1), { type: 'firmware.timeout', at: T0 + 2, reason: 'stage_timeout' }]).u.failureReason).toBe('stage_timeout');
    expect(run(fresh(), [{ type: 'firmware.cancel', at: T0 + 2, reason: 'cancelled' }]).u.state).toBe('cancelled');
    expect(run(fresh(), [{ type: 'firmware.cancel', at: T0 + 2, reason: 'superseded' }]).u.failureReason).toBe('superseded');
  });

  it('Idle and unknown statuses move nothing', () => {
    const u = { ...fresh(), state: 'downloading' as const };
    expect(advanceFirmwareUpdate(u, status('Idle', T0 + 1), ctx).changed).toBe(false);
    expect(advanceFirmwareUpdate(u, status('Exploding', T0 + 1), ctx).changed).toBe(false);
  });

  it('never leaves a final state, and every changed result carries an entry with its state (property)', () => {
    const event = fc.oneof(
      fc.tuple(fc.constantFrom(...FIRMWARE_STATUSES_SECURE, 'Weird'), fc.integer({ min: -10, max: 100 }), fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined })).map(([s, dt, id]) => status(s, T0 + dt, id)),
      fc.tuple(fc.constantFrom('1.0', '2.0', undefined), fc.integer({ min: -10, max: 100 }), fc.constantFrom(undefined, 'FirmwareUpdate', 'PowerUp')).map(([v, dt, r]) => boot(v, T0 + dt, r)),
      fc.integer({ min: 0, max: 100 }).map((dt) => closed(T0 + dt)),
      fc.tuple(fc.constantFrom(...COMMAND_OUTCOMES), fc.integer({ min: 0, max: 100 })).map(([o, dt]) => command(o, T0 + dt)),
      fc.constantFrom<FirmwareUpdateEvent>({ type: 'firmware.timeout', at: T0 + 50, reason: 'no_return' }, { type: 'firmware.cancel', at: T0 + 50, reason: 'cancelled' }),
    );
    fc.assert(
      fc.property(fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }), fc.array(event, { maxLength: 30 }), (requestId, events) => {
        let u = fresh(requestId);
        for (const e of events) {
          const r = advanceFirmwareUpdate(u, e, ctx);
          if (isFinalFirmwareState(u.state)) {
            expect(r.changed).toBe(false);
            expect(r.update).toBe(u);
          }
          if (r.changed) expect(r.entry.state).toBe(r.update.state);
          expect(r.update.state === 'failed').toBe(r.update.failureReason !== undefined);
          expect(isFinalFirmwareState(r.update.state)).toBe(r.update.finishedAt !== undefined);
          if (r.update.state === 'verified') expect(r.update.reportedVersion).toBe('2.0');
          u = r.update;
        }
      }),
    );
  });

  it('bounds the timeline, keeping the first entry', () => {
    let t: FirmwareTimelineEntry[] = [];
    for (let i = 0; i < 250; i++) t = appendTimeline(t, { at: i, event: 'status', state: 'downloading' });
    expect(t).toHaveLength(100);
    expect(t[0]!.at).toBe(0);
    expect(t.at(-1)!.at).toBe(249);
  });
});
