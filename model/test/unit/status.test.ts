import {
  AVAILABILITY_DEFINITION,
  CONNECTOR_STATUSES,
  CONNECTOR_STATUS_CODE,
  DOWN_STATUSES,
  FAULTED_STATUSES,
  OCPI_EVSE_STATUSES,
  OCPI_STATUS,
  OFFLINE_STATUS_LABEL,
  PROM_PORTS_ONLY,
  STATUS_COLOR,
  STATUS_LABEL,
  STATUS_SEVERITY_ORDER,
  UNCOUNTED_STATUSES,
  WORKING_STATUSES,
  availabilityClass,
  availabilityRatio,
  codeRegex,
  countAvailability,
  hasOpenError,
  isConnectorStatus,
  isFaulted,
  isStationLevelConnector,
  promAsStatus,
  promValueIn,
  reportedStatus,
  statusCode,
  statusCodes,
  statusFromCode,
  statusLabel,
  statusNameRegex,
  statusSeverityRank,
  toConnectorStatus,
  toOcpiStatus,
  type ConnectorStatus,
} from '../../src/status';

describe('status codes', () => {
  test('keep the numbers dashboards, rules and stored history use', () => {
    expect(CONNECTOR_STATUS_CODE).toEqual({
      Unknown: 0,
      Available: 1,
      Preparing: 2,
      Charging: 3,
      SuspendedEVSE: 4,
      SuspendedEV: 5,
      Finishing: 6,
      Reserved: 7,
      Unavailable: 8,
      Faulted: 9,
      Occupied: 10,
    });
  });

  test('every status has one distinct code and round-trips', () => {
    const codes = CONNECTOR_STATUSES.map((s) => CONNECTOR_STATUS_CODE[s]);
    expect(new Set(codes).size).toBe(CONNECTOR_STATUSES.length);
    for (const s of CONNECTOR_STATUSES) expect(statusFromCode(statusCode(s))).toBe(s);
  });

  test.each([[undefined], [null], [NaN], [Infinity], [-1], [11], [42], [2.5]])('code %p is Unknown', (code) => {
    expect(statusFromCode(code as number)).toBe('Unknown');
  });

  test('unrecognised strings are Unknown, with Unknown\'s code', () => {
    expect(isConnectorStatus('Charging')).toBe(true);
    expect(isConnectorStatus('charging')).toBe(false);
    expect(isConnectorStatus(3)).toBe(false);
    expect(toConnectorStatus('VendorSpecial')).toBe('Unknown');
    expect(statusCode('VendorSpecial')).toBe(0);
    expect(statusCode('Faulted')).toBe(9);
  });
});

describe('availability', () => {
  test('every status is exactly one of working, down, uncounted', () => {
    for (const s of CONNECTOR_STATUSES) {
      const memberships = [WORKING_STATUSES, DOWN_STATUSES, UNCOUNTED_STATUSES].filter((set) => set.includes(s));
      expect({ s, n: memberships.length }).toEqual({ s, n: 1 });
    }
  });

  test('working is what a driver can use or is using', () => {
    expect([...WORKING_STATUSES].sort()).toEqual(
      ['Available', 'Charging', 'Finishing', 'Occupied', 'Preparing', 'Reserved', 'SuspendedEV', 'SuspendedEVSE'],
    );
    expect([...DOWN_STATUSES].sort()).toEqual(['Faulted', 'Unavailable']);
    expect(UNCOUNTED_STATUSES).toEqual(['Unknown']);
  });

  test.each(CONNECTOR_STATUSES.map((s) => [s]))('a port of an offline station is down, whatever it said (%s)', (s) => {
    expect(availabilityClass(s, false)).toBe('down');
  });

  test('online: the status decides; Unknown and unrecognised statuses are not counted', () => {
    expect(availabilityClass('Charging', true)).toBe('working');
    expect(availabilityClass('Reserved', true)).toBe('working');
    expect(availabilityClass('Faulted', true)).toBe('down');
    expect(availabilityClass('Unavailable', true)).toBe('down');
    expect(availabilityClass('Unknown', true)).toBe('uncounted');
    expect(availabilityClass('VendorSpecial', true)).toBe('uncounted');
  });

  test('ratio = working / (working + down), station-level connectors skipped', () => {
    const count = countAvailability([
      { status: 'Available', online: true, evseId: 1 },
      { status: 'Charging', online: true, evseId: 2 },
      { status: 'Faulted', online: true, evseId: 3 },
      { status: 'Unknown', online: true, evseId: 4 },
      { status: 'Available', online: false, evseId: 1 },
      { status: 'Unavailable', online: true, evseId: 0 }, // the whole station, not a port
    ]);
    expect(count).toEqual({ working: 2, down: 2, uncounted: 1 });
    expect(availabilityRatio(count)).toBe(0.5);
  });

  test('no counted port gives no value, not 0 % or 100 %', () => {
    expect(availabilityRatio({ working: 0, down: 0, uncounted: 3 })).toBeNull();
    expect(availabilityRatio(countAvailability([]))).toBeNull();
  });

  test('the one-sentence definition names what counts as down and what is left out', () => {
    expect(AVAILABILITY_DEFINITION).toMatch(/Unavailable, Faulted/);
    expect(AVAILABILITY_DEFINITION).toMatch(/offline/);
    expect(AVAILABILITY_DEFINITION).toMatch(/Unknown is left out/);
  });

  test('faults and open errors', () => {
    expect(FAULTED_STATUSES).toEqual(['Faulted']);
    expect(isFaulted('Faulted')).toBe(true);
    expect(isFaulted('Unavailable')).toBe(false);
    expect(hasOpenError('Faulted', 'NoError')).toBe(true);
    expect(hasOpenError('Charging', 'GroundFailure')).toBe(true);
    expect(hasOpenError('Charging', 'NoError')).toBe(false);
  });

  test('counts by status report offline ports as Offline', () => {
    expect(reportedStatus('Charging', true)).toBe('Charging');
    expect(reportedStatus('Charging', false)).toBe(OFFLINE_STATUS_LABEL);
    expect(reportedStatus('Weird', true)).toBe('Unknown');
  });

  test('station-level connector', () => {
    expect(isStationLevelConnector(0)).toBe(true);
    expect(isStationLevelConnector('0')).toBe(true);
    expect(isStationLevelConnector(1)).toBe(false);
    expect(PROM_PORTS_ONLY).toBe('evse!="0"');
  });
});

describe('severity order', () => {
  test('lists every status once, problems first', () => {
    expect([...STATUS_SEVERITY_ORDER].sort()).toEqual([...CONNECTOR_STATUSES].sort());
    expect(STATUS_SEVERITY_ORDER[0]).toBe('Faulted');
    expect(statusSeverityRank('Faulted')).toBeLessThan(statusSeverityRank('Charging'));
    expect(statusSeverityRank('Available')).toBe(CONNECTOR_STATUSES.length - 1);
    expect(statusSeverityRank('VendorSpecial')).toBe(CONNECTOR_STATUSES.length);
  });
});

describe('OCPI', () => {
  test.each<[ConnectorStatus, string]>([
    ['Available', 'AVAILABLE'],
    ['Preparing', 'CHARGING'],
    ['Charging', 'CHARGING'],
    ['SuspendedEV', 'CHARGING'],
    ['SuspendedEVSE', 'CHARGING'],
    ['Finishing', 'CHARGING'],
    ['Occupied', 'CHARGING'],
    ['Reserved', 'RESERVED'],
    ['Unavailable', 'INOPERATIVE'],
    ['Faulted', 'OUTOFORDER'],
    ['Unknown', 'UNKNOWN'],
  ])('%s → %s; UNKNOWN when the station is unreachable', (ocpp, ocpi) => {
    expect(toOcpiStatus(ocpp, true)).toBe(ocpi);
    expect(toOcpiStatus(ocpp, false)).toBe('UNKNOWN');
  });

  test('maps into the OCPI 2.2.1 enum only', () => {
    for (const v of Object.values(OCPI_STATUS)) expect(OCPI_EVSE_STATUSES).toContain(v);
    expect(toOcpiStatus('VendorSpecial', true)).toBe('UNKNOWN');
  });
});

describe('presentation', () => {
  test('every status has a label and a colour', () => {
    for (const s of CONNECTOR_STATUSES) {
      expect(STATUS_LABEL[s]).toBeTruthy();
      expect(STATUS_COLOR[s]).toBeTruthy();
    }
    expect(statusLabel('SuspendedEVSE')).toBe('Suspended (EVSE)');
    expect(statusLabel('SuspendedEV')).toBe('Suspended (EV)');
    expect(statusLabel('Offline')).toBe('Offline');
    expect(statusLabel('')).toBe('Unknown');
  });

  test('no two statuses share a colour', () => {
    expect(new Set(Object.values(STATUS_COLOR)).size).toBe(CONNECTOR_STATUSES.length);
  });
});

describe('PromQL helpers', () => {
  test('codes and regexes come from the sets', () => {
    expect(statusCodes(WORKING_STATUSES)).toEqual([1, 2, 3, 4, 5, 6, 7, 10]);
    expect(codeRegex(WORKING_STATUSES)).toBe('1|2|3|4|5|6|7|10');
    expect(codeRegex(['Faulted', 'Faulted'])).toBe('9');
    expect(statusNameRegex(DOWN_STATUSES)).toBe('Unavailable|Faulted');
  });

  test('value filters merge consecutive codes into ranges', () => {
    expect(promValueIn('x', WORKING_STATUSES)).toBe('(x >= 1 <= 7) or (x == 10)');
    expect(promValueIn('x', ['Faulted'])).toBe('x == 9');
    expect(promValueIn('x', DOWN_STATUSES)).toBe('x >= 8 <= 9');
    expect(promValueIn('x', ['Unknown', 'Occupied', 'Available'])).toBe('(x >= 0 <= 1) or (x == 10)');
    expect(() => promValueIn('x', [])).toThrow(/at least one/);
  });

  test('constant status value', () => {
    expect(promAsStatus('m', 'Unknown')).toBe('m * 0');
    expect(promAsStatus('m', 'Faulted')).toBe('m * 0 + 9');
  });
});
