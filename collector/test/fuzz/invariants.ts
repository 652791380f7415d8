/**
 * What must hold after any amount of hostile input: the process is alive, a well-behaved station's
 * calls succeed and read back exactly, a protected station nobody touched is unchanged in every store,
 * and every call the collector acknowledged is in InfluxDB or in the dead-letter stream.
 */
import { eventually, influxQuery } from '@chargewatch/tools';
import { escapeId } from '@chargewatch/model';
import { stationClient } from '../harness/station-client';
import type { LiveCollector } from './live-collector';

export const VICTIM = 'VICTIM';
export const VICTIM_PASSWORD = 'victim-password-0123';

const iso = () => new Date().toISOString();
const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** A protected station (profile 1, password) with a boot, a connector and a meter value, then offline. */
export async function createVictim(live: LiveCollector): Promise<void> {
  const put = await live.api(`/api/v1/stations/${VICTIM}/security`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ profile: 1, password: VICTIM_PASSWORD }) });
  if (put.status !== 200) throw new Error(`security PUT answered ${put.status}: ${await put.text()}`);
  await wellBehavedStation(live, VICTIM, VICTIM_PASSWORD);
}

/**
 * Everything the stores hold of one station, as one comparable string: every Redis key under its hash
 * tag with its contents (lastSeen-like fields are not excluded: nobody may touch the station) and its
 * InfluxDB point count per measurement.
 */
export async function snapshotStation(live: LiveCollector, id: string): Promise<Record<string, unknown>> {
  const tag = live.keys.station(id);
  // The security record is not yet under the station's hash tag (collector/src/ocpp/auth/station-security.ts).
  const keys = [...(await live.redis.keys(`${tag}*`)), ...(await live.redis.keys(`${live.prefix}station:${id}:security`))].sort();
  const contents: Record<string, unknown> = {};
  for (const key of keys) {
    const type = await live.redis.type(key);
    if (type === 'hash') contents[key] = await live.redis.hgetall(key);
    else if (type === 'string') contents[key] = await live.redis.get(key);
    else if (type === 'list') contents[key] = await live.redis.lrange(key, 0, -1);
    else if (type === 'zset') contents[key] = await live.redis.zrange(key, 0, -1, 'WITHSCORES');
    else contents[key] = type;
  }
  const member = await live.redis.sismember(live.keys.stations(), id);
  const points = await influxQuery(live.influxUrl, live.database, `SELECT count(*) FROM /.*/ WHERE station_id = ${quote(id)}`).catch(() => []);
  // count(*) has a column per field key of the whole database, null for the fields this station lacks:
  // keys other stations add later are not a change of this station.
  const counts = points.map((row) => Object.fromEntries(Object.entries(row).filter(([, v]) => v !== null)));
  return { member, contents, points: counts };
}

/**
 * A station that follows the spec: boot, a status, a meter value; all answered, all readable back
 * through the API and from InfluxDB with the values sent. Returns after the read-back.
 */
export async function wellBehavedStation(live: LiveCollector, id: string, password?: string): Promise<void> {
  const cp = stationClient(live.ocppUrl, id, 'ocpp1.6', password ? { password } : {});
  await cp.connect();
  try {
    const boot = (await cp.call('BootNotification', { chargePointVendor: 'GoodVendor', chargePointModel: 'G1', firmwareVersion: '1.0.0' })) as { status: string };
    if (boot.status !== 'Accepted') throw new Error(`${id}: BootNotification ${boot.status}`);
    await cp.call('StatusNotification', { connectorId: 1, status: 'Charging', errorCode: 'NoError', timestamp: iso() });
    await cp.call('MeterValues', { connectorId: 1, meterValue: [{ timestamp: iso(), sampledValue: [{ value: '1234.5', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }] });
  } finally {
    await cp.close({ force: true }).catch(() => undefined);
  }
  await eventually(async () => {
    const res = await live.api(`/api/v1/stations/${encodeURIComponent(id)}`);
    if (res.status !== 200) throw new Error(`${id}: station API answered ${res.status}`);
    const state = (await res.json()) as { connectors: Array<{ connectorId: number; status: string }> };
    const c = state.connectors.find((x) => x.connectorId === 1);
    if (c?.status !== 'Charging') throw new Error(`${id}: connector 1 is ${c?.status}, not Charging`);
    const meter = await influxQuery(live.influxUrl, live.database, `SELECT last(value) FROM meter WHERE station_id = ${quote(id)}`);
    if (meter[0]?.last !== 1234.5) throw new Error(`${id}: InfluxDB meter ${JSON.stringify(meter)}`);
  }, 15_000);
}

/** Entries of the InfluxDB writer's dead-letter stream, flattened to their field values. */
export async function deadLetters(live: LiveCollector): Promise<string[]> {
  const entries = await live.redis.xrange(live.keys.deadLetter('influx'), '-', '+');
  return entries.map(([, fields]) => fields.join('\n'));
}

/** The escaped form a station id takes in InfluxDB line protocol, to find it in a dead letter. */
export function lineProtocolMentions(line: string, id: string): boolean {
  return line.includes(id) || line.includes(escapeId(id));
}
