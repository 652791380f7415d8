/**
 * End-of-run accounting: every acknowledged sample and transaction event looked up in InfluxDB with
 * InfluxQL, per station. A point is identified by (station, timestamp) for meter samples and by
 * (station, event, timestamp) for transaction events, whatever else its tags say, so a point written
 * twice under different tags counts as a duplicate.
 */
import { influxQuery } from '@chargewatch/tools';
import type { ReliableStation } from './stations';

const REGISTER = 'Energy.Active.Import.Register';

export interface Verification {
  stations: number;
  samplesAcked: number;
  /** Acknowledged samples found in InfluxDB. */
  samplesFound: number;
  samplesLost: number;
  /** Points beyond one per (station, timestamp). */
  sampleDuplicates: number;
  /** Acknowledged samples stored with another value than the one sent. */
  valueMismatches: number;
  /** Points stored that no acknowledgement covers (a call refused or abandoned after it was journalled). */
  samplesStoredUnacked: number;
  /** `SELECT count(value)` summed over stations: equals points stored. */
  countQueryTotal: number;
  txAcked: number;
  txFound: number;
  txLost: number;
  txDuplicates: number;
  /** A few concrete findings, for the failure message and the report. */
  examples: string[];
}

const q = (s: string) => s.replace(/'/g, "\\'");

export async function verifyInInflux(influxUrl: string, db: string, stations: ReliableStation[]): Promise<Verification> {
  const v: Verification = {
    stations: stations.length,
    samplesAcked: 0,
    samplesFound: 0,
    samplesLost: 0,
    sampleDuplicates: 0,
    valueMismatches: 0,
    samplesStoredUnacked: 0,
    countQueryTotal: 0,
    txAcked: 0,
    txFound: 0,
    txLost: 0,
    txDuplicates: 0,
    examples: [],
  };
  const note = (s: string) => {
    if (v.examples.length < 12) v.examples.push(s);
  };
  for (const st of stations) {
    const where = `station_id = '${q(st.id)}' AND measurand = '${REGISTER}'`;
    const count = await influxQuery(influxUrl, db, `SELECT count(value) FROM meter WHERE ${where}`);
    v.countQueryTotal += Number(count[0]?.count ?? 0);

    const rows = await influxQuery(influxUrl, db, `SELECT value FROM meter WHERE ${where} GROUP BY *`);
    const byTime = new Map<number, number[]>();
    for (const r of rows) {
      const t = Number(r.time);
      const list = byTime.get(t) ?? [];
      list.push(Number(r.value));
      byTime.set(t, list);
    }
    for (const [t, values] of byTime) {
      if (values.length > 1) {
        v.sampleDuplicates += values.length - 1;
        note(`${st.id}: ${values.length} meter points at ${new Date(t).toISOString()}`);
      }
      if (!st.ackedSamples.has(t)) v.samplesStoredUnacked++;
    }
    for (const [t, value] of st.ackedSamples) {
      v.samplesAcked++;
      const found = byTime.get(t);
      if (!found) {
        v.samplesLost++;
        note(`${st.id}: acknowledged sample ${value} at ${new Date(t).toISOString()} not in InfluxDB`);
        continue;
      }
      v.samplesFound++;
      if (!found.includes(value)) {
        v.valueMismatches++;
        note(`${st.id}: sample at ${new Date(t).toISOString()} stored as ${found.join(',')}, sent ${value}`);
      }
    }

    const txRows = await influxQuery(influxUrl, db, `SELECT * FROM "transaction" WHERE station_id = '${q(st.id)}' GROUP BY *`);
    const txByKey = new Map<string, Array<Record<string, unknown>>>();
    for (const r of txRows) {
      const key = `${String(r.event)}@${Number(r.time)}`;
      const list = txByKey.get(key) ?? [];
      list.push(r);
      txByKey.set(key, list);
    }
    for (const [key, list] of txByKey) {
      if (list.length > 1) {
        v.txDuplicates += list.length - 1;
        const tags = list.map((r) => `evse=${String(r.evse ?? '')} connector=${String(r.connector ?? '')} tx=${String(r.transaction_id ?? '')}`).join(' | ');
        note(`${st.id}: ${list.length} transaction points for ${key.replace(/@(\d+)$/, (_m, t) => ` at ${new Date(Number(t)).toISOString()}`)} (${tags})`);
      }
    }
    for (const tx of st.ackedTx.values()) {
      v.txAcked++;
      if (txByKey.has(`${tx.event}@${tx.time}`)) v.txFound++;
      else {
        v.txLost++;
        note(`${st.id}: acknowledged transaction ${tx.event} at ${new Date(tx.time).toISOString()} not in InfluxDB`);
      }
    }
  }
  return v;
}
