import type { ChargeEvent, EventOf } from '@chargewatch/model';
import { metaTagKey, toLines, toPoints, type StationMeta } from '../../../src/sinks/influx/points';
import { ID_TOKEN, TX_ID, sessionEvents } from './events';

const T0 = 1_700_000_000_000;
const events = sessionEvents('CP-1', T0);
const byType = <T extends ChargeEvent['type']>(type: T, nth = 0): EventOf<T> =>
  events.filter((e) => e.type === type)[nth] as EventOf<T>;
const meta = { site: 'north' };
/** `m` null: no metadata; omitted: `meta`. */
const one = (e: ChargeEvent, m?: StationMeta | null) => {
  const lines = toLines(e, m === null ? undefined : (m ?? meta));
  expect(lines).toHaveLength(1);
  return lines[0]!;
};

describe('toPoints: one line per event type (docs/data-model.md)', () => {
  it('connection opened / closed', () => {
    expect(one(byType('connection.opened'))).toBe(
      'connection,event=opened,site=north,station_id=CP-1 collector_id="col-1",protocol="ocpp1.6",remote_address="10.0.0.7",replaced=F 1700000001000',
    );
    expect(one(byType('connection.closed'))).toBe(
      'connection,event=closed,site=north,station_id=CP-1 code=1006i,collector_id="col-1",reason="ping timeout" 1700000017000',
    );
  });

  it('boot: vendor and model are tags (escaped), the rest fields', () => {
    expect(one(byType('station.booted'))).toBe(
      'boot,model=DC\\,50,site=north,station_id=CP-1,vendor=Acme\\ Power firmware_version="1.2.3",reason="PowerUp",registration="Accepted",serial_number="SN-1" 1700000002000',
    );
  });

  it('heartbeat: skew_ms = time - receivedAt', () => {
    expect(one(byType('station.heartbeat'))).toBe('heartbeat,site=north,station_id=CP-1 skew_ms=1500 1700000003000');
  });

  it('connector status with status code and error fields', () => {
    expect(one(byType('connector.status', 0))).toBe(
      'connector_status,connector=1,evse=1,site=north,station_id=CP-1 error_code="NoError",status="Preparing",status_code=2i 1700000004000',
    );
    expect(one(byType('connector.status', 1))).toBe(
      'connector_status,connector=1,evse=1,site=north,station_id=CP-1 error_code="GroundFailure",info="RCD tripped, see log",status="Faulted",status_code=9i,vendor_error_code="E42" 1700000010000',
    );
  });

  it('authorization: result is a tag, the id token a field', () => {
    expect(one(byType('authorization.requested'))).toBe(
      `authorization,result=Accepted,site=north,station_id=CP-1 id_token="****${ID_TOKEN.slice(-4)}",id_token_type="ISO14443" 1700000005000`,
    );
  });

  it('transaction started / updated / ended', () => {
    expect(one(byType('transaction.started'))).toBe(
      `transaction,connector=1,event=started,evse=1,site=north,station_id=CP-1 id_token="****${ID_TOKEN.slice(-4)}",id_token_type="ISO14443",meter_wh=1000,offline=F,seq_no=0i,transaction_id="${TX_ID}",trigger_reason="Authorized" 1700000006000`,
    );
    expect(one(byType('transaction.updated'))).toBe(
      `transaction,connector=1,event=updated,evse=1,site=north,station_id=CP-1 charging_state="Charging",offline=F,seq_no=1i,transaction_id="${TX_ID}",trigger_reason="MeterValuePeriodic" 1700000008000`,
    );
    // energy_wh and duration_s come from the start the event carries, whoever saw the start.
    expect(one(byType('transaction.ended'))).toBe(
      `transaction,connector=1,event=ended,evse=1,site=north,station_id=CP-1 closed_by="station",duration_s=3,energy_wh=11500,meter_wh=12500,offline=F,seq_no=2i,stopped_reason="EVDisconnected",transaction_id="${TX_ID}",trigger_reason="EVCommunicationLost" 1700000009000`,
    );
  });

  it('transaction ended without a known start has neither energy_wh nor duration_s', () => {
    const { start: _start, ...withoutStart } = byType('transaction.ended');
    const line = one(withoutStart);
    expect(line).not.toMatch(/energy_wh|duration_s/);
    expect(line).toContain('meter_wh=12500');
    // Start known but without a meter reading: duration only.
    const l2 = one({ ...withoutStart, start: { time: T0 } });
    expect(l2).toContain('duration_s=9,');
    expect(l2).not.toContain('energy_wh');
  });

  it('a close by policy says so; the station\'s late end replaces its point instead of adding one', () => {
    const ended = byType('transaction.ended');
    const provisional = one({ ...ended, meterStopWh: undefined, stoppedReason: 'StaleAfterReboot', closedBy: 'collector', time: T0 + 7000 });
    expect(provisional).toContain('closed_by="collector"');
    expect(provisional).toContain('stopped_reason="StaleAfterReboot"');
    expect(provisional).toMatch(/ 1700000007000$/);
    const late = one({ ...ended, resent: true, supersedes: { time: T0 + 7000, stoppedReason: 'StaleAfterReboot' } });
    // Same measurement, tags and time as the provisional point, so InfluxDB overwrites it.
    expect(late.slice(0, late.indexOf(' '))).toBe(provisional.slice(0, provisional.indexOf(' ')));
    expect(late).toMatch(/ 1700000007000$/);
    expect(late).toContain('closed_by="station"');
    expect(late).toContain('energy_wh=11500');
    expect(late).toContain('stopped_reason="EVDisconnected"');
    // The duration is the station's: from its start to its own end time.
    expect(late).toContain('duration_s=3,');
    expect(late).not.toContain('resent');
  });

  it('meter sample: one point per sampled value; phase/location/context are tags', () => {
    expect(toLines(byType('meter.sample'), meta)).toEqual([
      `meter,connector=1,context=Sample.Periodic,evse=1,measurand=Energy.Active.Import.Register,site=north,station_id=CP-1 transaction_id="${TX_ID}",unit="Wh",value=1500 1700000007000`,
      `meter,connector=1,context=Sample.Periodic,evse=1,measurand=Power.Active.Import,site=north,station_id=CP-1 transaction_id="${TX_ID}",unit="W",value=7400 1700000007000`,
      `meter,connector=1,context=Sample.Periodic,evse=1,measurand=Current.Import,phase=L1,site=north,station_id=CP-1 transaction_id="${TX_ID}",unit="A",value=16 1700000007000`,
      `meter,connector=1,context=Sample.Periodic,evse=1,measurand=Current.Import,phase=L2,site=north,station_id=CP-1 transaction_id="${TX_ID}",unit="A",value=15.5 1700000007000`,
      `meter,connector=1,context=Sample.Periodic,evse=1,location=EV,measurand=SoC,site=north,station_id=CP-1 transaction_id="${TX_ID}",unit="Percent",value=42 1700000007000`,
    ]);
  });

  it('meter sample: values differing only by context, phase or location get distinct series keys', () => {
    const e: EventOf<'meter.sample'> = {
      type: 'meter.sample',
      stationId: 'CP-1',
      time: T0,
      receivedAt: T0,
      evseId: 1,
      connectorId: 1,
      context: 'Sample.Periodic',
      values: [
        { measurand: 'Energy.Active.Import.Register', value: 1, unit: 'Wh' },
        { measurand: 'Energy.Active.Import.Register', value: 2, unit: 'Wh', context: 'Transaction.Begin' },
        { measurand: 'Energy.Active.Import.Register', value: 3, unit: 'Wh', location: 'Inlet' },
        { measurand: 'Energy.Active.Import.Register', value: 4, unit: 'Wh', phase: 'L1' },
        { measurand: 'Voltage', value: Number.NaN, unit: 'V' },
      ],
    };
    const lines = toLines(e, undefined);
    expect(lines).toHaveLength(4); // NaN skipped
    const keys = lines.map((l) => l.slice(0, l.indexOf(' ')));
    expect(new Set(keys).size).toBe(4);
    expect(keys[1]).toContain('context=Transaction.Begin');
    expect(keys[2]).toContain('location=Inlet');
    expect(lines[0]).not.toContain('transaction_id'); // no transaction: field left out
  });

  it('firmware / log status', () => {
    expect(one(byType('firmware.status'))).toBe(
      'firmware_status,site=north,station_id=CP-1 request_id=7i,status="Downloaded" 1700000011000',
    );
    expect(one(byType('log.status'))).toBe('log_status,site=north,station_id=CP-1 request_id=8i,status="Uploaded" 1700000012000');
  });

  it('security event: tech_info always present (a point needs a field)', () => {
    expect(one(byType('security.event'))).toBe(
      'security_event,event_type=TamperDetectionActivated,site=north,source=station,station_id=CP-1 tech_info="door open" 1700000013000',
    );
    const bare: ChargeEvent = { type: 'security.event', stationId: 'CP-1', time: T0, receivedAt: T0, eventType: 'X', source: 'collector' };
    expect(one(bare, null)).toBe('security_event,event_type=X,source=collector,station_id=CP-1 tech_info="" 1700000000000');
  });

  it('device event and device report', () => {
    expect(one(byType('device.event'))).toBe(
      'device_event,component=EVSE,site=north,station_id=CP-1,variable=Problem actual_value="true",cleared=F,connector=1i,event_id=3i,evse=1i,tech_code="T1",trigger="Alerting" 1700000014000',
    );
    expect(one(byType('device.report'))).toBe(
      'device_report,site=north,station_id=CP-1 items=2i,request_id=5i,seq_no=0i,tbc=F 1700000015000',
    );
  });

  it('certificate signing request: type and result are tags, the CSR only its length', () => {
    expect(one(byType('certificate.signing'))).toBe(
      'certificate_signing,certificate_type=ChargingStationCertificate,result=Rejected,site=north,station_id=CP-1 csr_length=1200i 1700000018000',
    );
  });

  it('data transfer: vendor is a tag, payload never written', () => {
    expect(one(byType('data.transfer'))).toBe(
      'data_transfer,site=north,station_id=CP-1,vendor_id=com.acme data_length=120i,message_id="Diag" 1700000016000',
    );
  });
});

describe('toPoints: tags', () => {
  it('escapes spaces, commas and equals signs in tag values; fields keep them quoted', () => {
    const e: ChargeEvent = { type: 'station.heartbeat', stationId: 'CP 1,a=b', time: T0, receivedAt: T0 };
    expect(one(e, { site: 'Depot North, Gate 2' })).toBe(
      'heartbeat,site=Depot\\ North\\,\\ Gate\\ 2,station_id=CP\\ 1\\,a\\=b skew_ms=0 1700000000000',
    );
    const s: ChargeEvent = {
      type: 'security.event',
      stationId: 'CP-1',
      time: T0,
      receivedAt: T0,
      eventType: 'Tamper',
      techInfo: 'said "hi", a=b c\\d',
      source: 'station',
    };
    expect(one(s, null)).toContain('tech_info="said \\"hi\\", a=b c\\\\d"');
  });

  it('metadata tags become tag_<key> with key sanitised to [a-z0-9_]', () => {
    expect(metaTagKey('Region Name')).toBe('tag_region_name');
    expect(metaTagKey('Öko-Strom/2')).toBe('tag__ko_strom_2');
    expect(metaTagKey('  ')).toBeUndefined();
    const e = byType('station.heartbeat');
    const line = one(e, { site: 's', tags: { 'Region Name': 'EU West', Owner: 'ACME', empty: '' } });
    expect(line.startsWith('heartbeat,site=s,station_id=CP-1,tag_owner=ACME,tag_region_name=EU\\ West skew_ms=')).toBe(true);
  });

  it('without metadata only station_id is set', () => {
    expect(one(byType('station.heartbeat'), null)).toBe('heartbeat,station_id=CP-1 skew_ms=1500 1700000003000');
  });

  it('tag values are never trimmed or cleaned: %, backslashes and control characters are %-encoded', () => {
    const e: ChargeEvent = { type: 'station.heartbeat', stationId: 'CP\\', time: T0, receivedAt: T0 };
    expect(one(e, { site: ' x\\ \n50%\t' })).toBe('heartbeat,site=\\ x%5C\\ %0A50%25%09,station_id=CP%5C skew_ms=0 1700000000000');
    // Identities that the old cleaning merged (trailing backslash, space, newline) stay apart.
    const ids = ['CP', 'CP\\', 'CP ', 'CP\n', 'CP\t', 'CP%5C'];
    const tagSets = ids.map((stationId) => one({ type: 'station.heartbeat', stationId, time: T0, receivedAt: T0 }, null).split(' skew_ms')[0]);
    expect(new Set(tagSets).size).toBe(ids.length);
  });

  it('no id token or transaction id ever appears in the tag set', () => {
    for (const e of sessionEvents('CP-1', T0)) {
      for (const p of toPoints(e, meta)) {
        const line = p.toLineProtocol()!;
        const tagSet = line.slice(0, line.indexOf(' '));
        expect(tagSet).not.toContain(ID_TOKEN);
        // Nor anywhere else: token ids are written masked.
        expect(line).not.toContain(ID_TOKEN);
        expect(tagSet).not.toContain(TX_ID);
        expect(tagSet).not.toMatch(/transaction_id|id_token/);
      }
    }
  });

  it('every event type maps to at least one point with an ms timestamp', () => {
    const types = new Set<string>();
    for (const e of sessionEvents('CP-1', T0)) {
      const lines = toLines(e, undefined);
      expect(lines.length).toBeGreaterThan(0);
      for (const l of lines) expect(l).toMatch(new RegExp(` ${e.time}$`));
      types.add(e.type);
    }
    expect(types.size).toBe(17);
  });

  it('rounds fractional timestamps to whole milliseconds', () => {
    const e: ChargeEvent = { type: 'station.heartbeat', stationId: 'CP-1', time: T0 + 0.6, receivedAt: T0 };
    expect(one(e, null)).toMatch(/ 1700000000001$/);
  });
});

describe('toLines renders exactly what the InfluxDB client would', () => {
  // toLines writes line protocol itself for speed; the client's Point is the reference encoding.
  const awkward = { site: 'Main St, "Depot" = 1 \\ north', tags: { 'op erator': 'a=b,c d', region: 'x"y\\z' } };
  it.each(sessionEvents('CP 1,=x', T0).map((e) => [e.type, e] as const))('%s', (_type, e) => {
    for (const m of [undefined, meta, awkward]) {
      const reference = toPoints(e, m).map((p) => p.toLineProtocol()).filter(Boolean);
      expect(toLines(e, m)).toEqual(reference);
      expect(reference.length).toBeGreaterThan(0);
    }
  });
});
