import { Fleet } from '../../../src/simulator/fleet';
import type { SimulatedStation } from '../../../src/simulator/station';
import { energyWh, FakeCsms, makeStation, waitFor } from './fake-csms';

let csms: FakeCsms;
const stations: Array<{ stop(): Promise<void> }> = [];

beforeEach(async () => {
  csms = await FakeCsms.start();
});

afterEach(async () => {
  await Promise.all(stations.splice(0).map((s) => s.stop()));
  await csms.close();
});

async function started(s: SimulatedStation): Promise<SimulatedStation> {
  stations.push(s);
  await s.start();
  await s.whenAccepted();
  return s;
}

function expectClean(s: SimulatedStation): void {
  expect(s.lastError).toBeUndefined();
  expect(s.stats.errors).toBe(0);
  expect(csms.validationFailures).toEqual([]);
}

function increasing(values: number[]): void {
  for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]);
}

test('boot Pending is retried after the returned interval until Accepted', async () => {
  let boots = 0;
  const at: number[] = [];
  csms.handlers.BootNotification = () => {
    boots++;
    at.push(Date.now());
    return { status: boots < 3 ? 'Pending' : 'Accepted', interval: boots < 3 ? 100 : 60, currentTime: new Date().toISOString() };
  };
  const s = makeStation(csms, { id: 'BOOT1', protocol: 'ocpp1.6' });
  await started(s);
  expect(boots).toBe(3);
  expect(s.registration).toBe('Accepted');
  // 100 s at speed 1000 = 100 ms between attempts
  expect(at[1] - at[0]).toBeGreaterThanOrEqual(90);
  expect(at[2] - at[1]).toBeGreaterThanOrEqual(90);
  // nothing but BootNotification before acceptance, then the connector statuses (incl. connector 0)
  await waitFor(() => csms.callsFor('BOOT1', 'StatusNotification').length === 3);
  const actions = csms.callsFor('BOOT1').map((c) => c.action);
  expect(actions.slice(0, 3)).toEqual(['BootNotification', 'BootNotification', 'BootNotification']);
  expect(csms.callsFor('BOOT1', 'StatusNotification').map((c) => c.params.connectorId)).toEqual([0, 1, 2]);
  // heartbeat at the accepted interval (60 s -> 60 ms)
  expect(s.heartbeatIntervalSec).toBe(60);
  await waitFor(() => csms.callsFor('BOOT1', 'Heartbeat').length >= 2, 2000, 'heartbeats');
  expectClean(s);
});

test('OCPP 1.6 AC session: Preparing, Authorize, StartTransaction, MeterValues, StopTransaction, Available', async () => {
  const s = await started(makeStation(csms, { id: 'AC16', protocol: 'ocpp1.6', profile: 0 }));
  const sum = await s.forceSession(1, { ticks: 6, suspendTicks: 2, endReason: 'Local' });
  await waitFor(() => csms.callsFor('AC16', 'StatusNotification').some((c) => c.params.connectorId === 1 && c.params.status === 'Available' && c.seq > csms.callsFor('AC16', 'StopTransaction')[0]?.seq));

  const flow = csms
    .callsFor('AC16')
    .filter((c) => c.action !== 'Heartbeat' && !(c.action === 'StatusNotification' && c.params.connectorId !== 1))
    .map((c) => (c.action === 'StatusNotification' ? `Status:${c.params.status}` : c.action));
  const firstPrep = flow.indexOf('Status:Preparing');
  expect(flow.slice(firstPrep)).toEqual([
    'Status:Preparing',
    'Authorize',
    'StartTransaction',
    'Status:Charging',
    ...Array(6).fill('MeterValues'),
    'Status:SuspendedEV',
    'MeterValues',
    'MeterValues',
    'StopTransaction',
    'Status:Finishing',
    'Status:Available',
  ]);

  const start = csms.callsFor('AC16', 'StartTransaction')[0].params;
  const stop = csms.callsFor('AC16', 'StopTransaction')[0].params;
  expect(start.meterStart).toBe(sum.meterStartWh);
  expect(stop.meterStop).toBe(sum.meterStopWh);
  expect(stop.transactionId).toBe(sum.transactionId);
  expect(stop.reason).toBe('Local');
  expect(stop.transactionData).toHaveLength(2);
  const mvs = csms.callsFor('AC16', 'MeterValues').map((c) => c.params);
  expect(mvs.every((m) => m.transactionId === sum.transactionId)).toBe(true);
  const energies = [start.meterStart, ...mvs.map((m) => energyWh(m.meterValue[0])), stop.meterStop];
  increasing(energies);
  // 22 kW for 6 x 10 s is roughly 300 Wh
  expect(sum.meterStopWh - sum.meterStartWh).toBeGreaterThan(150);
  expect(sum.meterStopWh - sum.meterStartWh).toBeLessThan(400);
  // AC: three phases of voltage and current; power in the 7–22 kW range while charging
  const sv = mvs[0].meterValue[0].sampledValue;
  expect(sv.filter((x: any) => x.measurand === 'Voltage').map((x: any) => x.phase)).toEqual(['L1-N', 'L2-N', 'L3-N']);
  expect(sv.filter((x: any) => x.measurand === 'Current.Import')).toHaveLength(3);
  const p = Number(sv.find((x: any) => x.measurand === 'Power.Active.Import').value);
  expect(p).toBeGreaterThan(7000);
  expect(p).toBeLessThanOrEqual(22000);
  expect(s.stats.sessionsCompleted).toBe(1);
  expectClean(s);
});

test('OCPP 1.6 kWh meter and zero-energy session', async () => {
  const s = await started(makeStation(csms, { id: 'KWH16', protocol: 'ocpp1.6', profile: 1 }));
  const sum = await s.forceSession(1, { ticks: 3 });
  const mv = csms.callsFor('KWH16', 'MeterValues')[0].params.meterValue[0];
  const e = mv.sampledValue.find((x: any) => x.measurand === 'Energy.Active.Import.Register');
  expect(e.unit).toBe('kWh');
  expect(e.value).toMatch(/^\d+\.\d{3}$/);
  expect(Math.abs(energyWh(mv) - sum.meterStartWh)).toBeLessThan(200);
  const zero = await s.forceSession(2, { zeroEnergy: true, ticks: 3 });
  expect(zero.meterStopWh).toBe(zero.meterStartWh);
  const statuses = csms.callsFor('KWH16', 'StatusNotification').filter((c) => c.params.connectorId === 2).map((c) => c.params.status);
  expect(statuses).toContain('SuspendedEV');
  expect(statuses).not.toContain('Charging');
  expectClean(s);
});

test('OCPP 2.0.1 DC session: TransactionEvent Started/Updated/Ended, seqNo, SoC and taper', async () => {
  const s = await started(makeStation(csms, { id: 'DC201', protocol: 'ocpp2.0.1', profile: 2, seed: 5 }));
  const sum = await s.forceSession(1, { ticks: 40, endReason: 'EVDisconnected' });
  await waitFor(() => csms.callsFor('DC201', 'StatusNotification').filter((c) => c.params.evseId === 1).map((c) => c.params.connectorStatus).slice(-1)[0] === 'Available');
  const evs = csms.callsFor('DC201', 'TransactionEvent').map((c) => c.params);
  expect(evs[0].eventType).toBe('Started');
  expect(evs[0].idToken).toEqual({ idToken: sum.idTag, type: 'ISO14443' });
  expect(evs[evs.length - 1].eventType).toBe('Ended');
  expect(evs.slice(1, -1).every((e) => e.eventType === 'Updated')).toBe(true);
  expect(evs.map((e) => e.seqNo)).toEqual(evs.map((_, i) => i));
  expect(new Set(evs.map((e) => e.transactionInfo.transactionId))).toEqual(new Set([sum.transactionId]));
  expect(evs.every((e) => e.offline === undefined && e.evse.id === 1)).toBe(true);
  const end = evs[evs.length - 1];
  expect(['EVDisconnected', 'SOCLimitReached']).toContain(end.transactionInfo.stoppedReason);
  expect(end.transactionInfo.timeSpentCharging).toBeGreaterThan(0);
  const energies = evs.map((e) => energyWh(e.meterValue[0]));
  increasing(energies);
  expect(energies[0]).toBe(sum.meterStartWh);
  expect(energies[energies.length - 1]).toBe(sum.meterStopWh);
  const get = (e: any, m: string) => e.meterValue[0].sampledValue.find((x: any) => x.measurand === m)?.value;
  const charging = evs.filter((e) => e.eventType === 'Updated' && get(e, 'Power.Active.Import') > 0);
  const socs = charging.map((e) => get(e, 'SoC'));
  increasing(socs);
  expect(socs[socs.length - 1]).toBeGreaterThan(socs[0]);
  const powers = charging.map((e) => get(e, 'Power.Active.Import'));
  expect(Math.max(...powers)).toBeLessThanOrEqual(150_000);
  expect(Math.max(...powers)).toBeGreaterThanOrEqual(45_000);
  // tapering: the power at high SoC is lower than at the start
  if (socs[socs.length - 1] > 65) expect(powers[powers.length - 1]).toBeLessThan(powers[0]);
  const statuses = csms.callsFor('DC201', 'StatusNotification').filter((c) => c.params.evseId === 1).map((c) => c.params.connectorStatus);
  expect(statuses).toEqual(['Available', 'Occupied', 'Available']);
  expectClean(s);
});

test('OCPP 1.6 offline: queued StartTransaction, MeterValues and StopTransaction are replayed in order', async () => {
  const s = await started(makeStation(csms, { id: 'OFF16', protocol: 'ocpp1.6', profile: 0 }));
  await s.forceDisconnect(1e6);
  expect(s.isOnline()).toBe(false);
  const sum = await s.forceSession(1, { ticks: 4, suspendTicks: 0, endReason: 'Local' });
  expect(csms.callsFor('OFF16', ['StartTransaction', 'MeterValues', 'StopTransaction'])).toHaveLength(0);
  expect(s.queuedMessages).toBe(6);
  await s.reconnectNow();
  await waitFor(() => csms.callsFor('OFF16', 'StopTransaction').length === 1);
  const replay = csms.callsFor('OFF16', ['StartTransaction', 'MeterValues', 'StopTransaction']);
  expect(replay.map((c) => c.action)).toEqual(['StartTransaction', 'MeterValues', 'MeterValues', 'MeterValues', 'MeterValues', 'StopTransaction']);
  expect(sum.transactionId).toBeUndefined(); // ended before the CSMS could assign one
  const txId = replay[1].params.transactionId;
  expect(typeof txId).toBe('number');
  expect(replay.slice(1).every((c) => c.params.transactionId === txId)).toBe(true);
  increasing([replay[0].params.meterStart, ...replay.slice(1, 5).map((c) => energyWh(c.params.meterValue[0])), replay[5].params.meterStop]);
  // the times are those of the events, not of the replay
  expect(Date.parse(replay[0].params.timestamp)).toBeLessThan(Date.parse(replay[5].params.timestamp));
  await waitFor(() => s.queuedMessages === 0);
  expect(s.stats.replayed).toBe(6);
  // a reconnect is not a reboot
  expect(csms.callsFor('OFF16', 'BootNotification')).toHaveLength(1);
  expectClean(s);
});

test('OCPP 2.0.1 offline: events during the outage are replayed with offline: true and contiguous seqNo', async () => {
  const s = await started(makeStation(csms, { id: 'OFF201', protocol: 'ocpp2.0.1', profile: 0 }));
  const done = s.forceSession(1, { ticks: 8, suspendTicks: 0, authDelaySec: 1 });
  await waitFor(() => csms.callsFor('OFF201', 'TransactionEvent').length >= 2);
  await s.forceDisconnect(1e6);
  const sum = await done;
  const before = new Set(csms.callsFor('OFF201', 'TransactionEvent').map((c) => c.params.seqNo)).size;
  await s.reconnectNow();
  await waitFor(() => csms.callsFor('OFF201', 'TransactionEvent').some((c) => c.params.eventType === 'Ended'));
  const all = csms.callsFor('OFF201', 'TransactionEvent').map((c) => c.params);
  // A message in flight when the link dropped is sent again (at-least-once): same seqNo, same payload.
  const bySeq = new Map<number, any>();
  for (const e of all) {
    if (bySeq.has(e.seqNo)) expect(e).toEqual(bySeq.get(e.seqNo));
    else bySeq.set(e.seqNo, e);
  }
  expect(all.length - bySeq.size).toBeLessThanOrEqual(1);
  const evs = [...bySeq.values()];
  expect(evs.map((e) => e.seqNo)).toEqual(evs.map((_, i) => i));
  expect(evs.slice(0, before).every((e) => e.offline === undefined)).toBe(true);
  const replayed = evs.slice(before);
  expect(replayed.length).toBeGreaterThanOrEqual(2);
  expect(replayed.every((e) => e.offline === true)).toBe(true);
  expect(replayed[replayed.length - 1].eventType).toBe('Ended');
  expect(new Set(evs.map((e) => e.transactionInfo.transactionId)).size).toBe(1);
  increasing(evs.map((e) => energyWh(e.meterValue[0])));
  expect(energyWh(evs[evs.length - 1].meterValue[0])).toBe(sum.meterStopWh);
  expect(csms.callsFor('OFF201', 'BootNotification')).toHaveLength(1);
  expectClean(s);
});

test('faults: 1.6 StatusNotification with error codes, 2.0.1 Faulted plus NotifyEvent, then recovery', async () => {
  const a = await started(makeStation(csms, { id: 'F16', protocol: 'ocpp1.6', profile: 0 }));
  const b = await started(makeStation(csms, { id: 'F201', protocol: 'ocpp2.0.1', profile: 2 }));
  const sessA = a.forceSession(1, { ticks: 100 });
  await waitFor(() => csms.callsFor('F16', 'MeterValues').length >= 1);
  a.forceFault(1, 'GroundFailure', 50);
  b.forceFault(2, 'OverCurrentFailure', 50);
  const sumA = await sessA;
  expect(sumA.reason).toBe('Fault');
  await waitFor(() => csms.callsFor('F16', 'StatusNotification').filter((c) => c.params.connectorId === 1).slice(-1)[0].params.status === 'Available');
  await waitFor(() => csms.callsFor('F201', 'NotifyEvent').length === 2);
  await waitFor(() => csms.callsFor('F201', 'StatusNotification').filter((c) => c.params.evseId === 2).length === 3);

  const st16 = csms.callsFor('F16', 'StatusNotification').filter((c) => c.params.connectorId === 1).map((c) => c.params);
  const faulted = st16.find((p) => p.status === 'Faulted');
  expect(faulted).toMatchObject({ errorCode: 'GroundFailure', vendorId: 'Voltaro', vendorErrorCode: 'VT-RCD-30' });
  expect(st16[st16.length - 1]).toMatchObject({ status: 'Available', errorCode: 'NoError' });
  expect(csms.callsFor('F16', 'StopTransaction')[0].params.reason).toBe('Other');

  const st201 = csms.callsFor('F201', 'StatusNotification').filter((c) => c.params.evseId === 2).map((c) => c.params.connectorStatus);
  expect(st201).toEqual(['Available', 'Faulted', 'Available']);
  const [raised, cleared] = csms.callsFor('F201', 'NotifyEvent').map((c) => c.params.eventData[0]);
  expect(raised).toMatchObject({
    component: { name: 'Connector', evse: { id: 2, connectorId: 1 } },
    variable: { name: 'Problem' },
    actualValue: 'true',
    techCode: 'PSU_OC_0x31',
    cleared: false,
  });
  expect(cleared).toMatchObject({ actualValue: 'false', cleared: true, cause: raised.eventId });
  expectClean(a);
  expectClean(b);
});

describe('determinism', () => {
  const opts = (url: string, seed: number) => ({
    count: 3,
    connectors: 1,
    ocpp201Share: 0.34,
    url,
    seed,
    speed: 5000,
    meterIntervalSec: 60,
    idleMeanSec: 120,
    faultProbability: 0,
    disconnectProbability: 0,
    zeroEnergyProbability: 0.3,
  });

  function normalised(identity: string): string[] {
    return csms
      .callsFor(identity)
      .filter((c) => c.action !== 'Heartbeat')
      .map((c) => {
        const p = JSON.parse(JSON.stringify(c.params), (k, v) => (k === 'timestamp' || k === 'transactionId' ? undefined : v));
        return `${c.action} ${JSON.stringify(p)}`;
      });
  }

  async function run(seed: number): Promise<{ logs: Record<string, string[]>; msgs: Record<string, string[]>; ids: string[] }> {
    csms.calls.length = 0;
    const fleet = new Fleet(opts(csms.url, seed));
    stations.push(fleet);
    await fleet.start();
    await waitFor(() => fleet.stations.every((s) => s.stats.sessionsCompleted >= 2), 20000, 'two sessions per station');
    await fleet.stop();
    const logs: Record<string, string[]> = {};
    const msgs: Record<string, string[]> = {};
    for (const s of fleet.stations) {
      logs[s.id] = s.actionLog.slice();
      msgs[s.id] = normalised(s.id);
      expectClean(s);
    }
    return { logs, msgs, ids: fleet.identities.map((i) => `${i.stationId} ${i.protocol} ${i.profile.model} ${i.firmwareVersion} ${i.serialNumber}`) };
  }

  test('the same seed gives the same profiles, decisions and messages', async () => {
    const a = await run(11);
    const b = await run(11);
    expect(b.ids).toEqual(a.ids);
    // decisions are deterministic per stream (station, each connector); compare stream by stream
    const stream = (log: string[], prefix: string | null) =>
      log.filter((l) => (prefix === null ? !/^c\d+ /.test(l) : l.startsWith(prefix)));
    for (const id of Object.keys(a.logs)) {
      for (const prefix of [null, 'c1 ']) {
        const la = stream(a.logs[id], prefix);
        const lb = stream(b.logs[id], prefix);
        const n = Math.min(la.length, lb.length);
        expect(n).toBeGreaterThanOrEqual(2);
        expect(lb.slice(0, n)).toEqual(la.slice(0, n));
      }
      expect(stream(a.logs[id], 'c1 ').length).toBeGreaterThanOrEqual(6);
      const m = Math.min(a.msgs[id].length, b.msgs[id].length);
      expect(m).toBeGreaterThanOrEqual(10);
      expect(b.msgs[id].slice(0, m)).toEqual(a.msgs[id].slice(0, m));
    }
    const c = await run(12);
    expect(c.ids).not.toEqual(a.ids);
  });
});

test('a 1.6 Security Whitepaper station reports its start-up and asks for a certificate once; other stations do not', async () => {
  // Profile 2 (Amperon) runs the whitepaper extensions; profile 0 does not; 2.0.1 has them in its core.
  const secure = await started(makeStation(csms, { id: 'SEC16', protocol: 'ocpp1.6', profile: 2 }));
  const plain = await started(makeStation(csms, { id: 'PLAIN16', protocol: 'ocpp1.6', profile: 0 }));
  const v201 = await started(makeStation(csms, { id: 'SEC201', protocol: 'ocpp2.0.1', profile: 2 }));
  await waitFor(() => csms.callsFor('SEC16', 'SignCertificate').length === 1);
  expect(csms.callsFor('SEC16', 'SecurityEventNotification').map((c) => c.params.type)).toEqual(['StartupOfTheDevice']);
  expect(csms.callsFor('SEC16', 'SignCertificate')[0].params.csr).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----\n[A-Za-z0-9+/=]+\n-----END CERTIFICATE REQUEST-----\n$/);
  expect(csms.callsFor('PLAIN16', ['SecurityEventNotification', 'SignCertificate'])).toEqual([]);
  expect(csms.callsFor('SEC201', ['SecurityEventNotification', 'SignCertificate'])).toEqual([]);

  // A reboot reports ResetOrReboot; the refused certificate is not asked for again.
  expect(await csms.command('SEC16', 'Reset', { type: 'Soft' })).toEqual({ status: 'Accepted' });
  await waitFor(() => csms.callsFor('SEC16', 'SecurityEventNotification').length === 2, 5000, 'the security event after the reboot');
  expect(csms.callsFor('SEC16', 'SecurityEventNotification')[1].params.type).toBe('ResetOrReboot');
  expect(csms.callsFor('SEC16', 'SignCertificate')).toHaveLength(1);
  [secure, plain, v201].forEach(expectClean);
});
