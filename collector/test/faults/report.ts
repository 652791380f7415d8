/**
 * docs/reliability.md, written by the fault suite at the end of every run. The structure is fixed
 * (same headings, same tables, same row order); only the figures change from run to run.
 */
import type { HostileOutcome } from './hostile';
import type { StationCounters } from './counters';
import type { Verification } from './verify';

export interface FaultRecord {
  name: string;
  /** How long the fault lasted: from the signal until the process was running (or resumed) again. */
  faultMs: number;
  /** From the end of the fault until every station had a call acknowledged again; null if not within the limit. */
  recoveryMs: number | null;
  /** From the end of the fault until chargewatch_journal_entries was back to a steady level; null if not within the limit. */
  backlogClearedMs: number | null;
  /** Station-side counters from the start of the fault until recovery. */
  during: StationCounters;
  /** Highest chargewatch_journal_entries seen from the fault's start until recovery. */
  journalPeak: number | undefined;
  notes: string[];
}

export interface RunReport {
  date: string;
  passed: boolean;
  failures: string[];
  machine: string;
  software: string;
  wallSeconds: number;
  load: {
    stations: number;
    byProtocol: Record<string, number>;
    intervalMs: number;
    loadSeconds: number;
    totals: StationCounters;
    samplesAcked: number;
    txAcked: number;
  };
  faults: FaultRecord[];
  hostile: { outcomes: HostileOutcome[]; disturbance: StationCounters };
  drainSeconds: number | null;
  verification: Verification;
  /** Transactions still open in Redis that their station ended (reported, not asserted). */
  staleOpenTx: { count: number; examples: string[] };
}

const n = (x: number) => x.toLocaleString('en-US');
const secs = (ms: number | null) => (ms === null ? 'not within limit' : `${(ms / 1000).toFixed(1)} s`);
const codes = (r: Record<string, number>) =>
  Object.keys(r).length ? Object.entries(r).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}: ${n(v)}`).join(', ') : '–';
const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

export function renderReport(r: RunReport): string {
  const t = r.load.totals;
  const rate = r.load.loadSeconds > 0 ? t.acked / r.load.loadSeconds : 0;
  const v = r.verification;
  const handled = r.hostile.outcomes.filter((o) => o.ok).length;
  const lines: string[] = [
    '# Reliability: the fault suite',
    '',
    '<!-- Written by collector/test/faults/faults.test.ts at the end of each run (`npm run test:faults`,',
    '     also a stage of `npm test`). Edit the generator, not this file. -->',
    '',
    'The promise under test: **a station\'s call that got a CALLRESULT is in InfluxDB exactly once**, whatever',
    'happens to InfluxDB, Redis or the collector after the answer. The suite runs real `influxd`,',
    '`redis-server` (AOF, `appendfsync always`) and the collector as a child process',
    '(`node cli/bin/chargewatch.js collector`), drives them with stations that behave like real ones',
    '(one outstanding call, the same message resent until it is acknowledged), stops, kills, pauses and',
    'restarts each process under that load, sends hostile input on the side, and at the end looks up every',
    'acknowledged event in InfluxDB with InfluxQL.',
    '',
    '## Last run',
    '',
    '| | |',
    '|---|---|',
    `| Date | ${r.date} |`,
    `| Result | ${r.passed ? '**passed**' : '**FAILED**'} |`,
    `| Machine | ${r.machine} |`,
    `| Software | ${r.software} |`,
    `| Suite wall time | ${r.wallSeconds.toFixed(0)} s |`,
    '',
    ...(r.failures.length ? ['Failures:', '', ...r.failures.map((f) => `- ${f}`), ''] : []),
    '## Load held',
    '',
    '| | |',
    '|---|---|',
    `| Stations | ${r.load.stations} (${codes(r.load.byProtocol)}) |`,
    `| Pace per station | one call at a time, next message ${r.load.intervalMs} ms after the acknowledgement |`,
    `| Load duration | ${r.load.loadSeconds.toFixed(0)} s, faults included |`,
    `| Calls acknowledged | ${n(t.acked)} (${rate.toFixed(0)} per second on average) |`,
    `| Meter samples acknowledged | ${n(r.load.samplesAcked)} |`,
    `| Transaction events acknowledged | ${n(r.load.txAcked)} |`,
    `| Calls sent (retries included) | ${n(t.attempts)}; ${n(t.retried)} messages needed more than one try |`,
    `| Sent again after their CALLRESULT (an answer lost on the way) | ${n(t.resent)} |`,
    `| Refused with a CALLERROR | ${n(sum(t.refused))} (${codes(t.refused)}) |`,
    `| Timed out / lost with the connection | ${n(t.timeouts)} / ${n(t.dropped)} |`,
    `| Connections opened | ${n(t.connects)} (close codes seen: ${codes(t.closes)}) |`,
    '',
    '## Faults survived',
    '',
    'Applied one after the other with the load running; each row counts what the stations saw from the',
    'fault until every station had a call acknowledged again (Recovery, measured from the end of the fault).',
    '"Journal peak" is the highest `chargewatch_journal_entries` seen (sampled every 0.5 s, refreshed by the',
    'collector every 2 s); "Backlog cleared" is when it was back under 200 entries, measured from the end of',
    'the fault. The next fault starts after that.',
    '',
    '| # | Fault | Lasted | Recovery | Acked | Refused | Timeouts | Lost with connection | Reconnects | Journal peak | Backlog cleared | Notes |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...r.faults.map(
      (f, i) =>
        `| ${i + 1} | ${f.name} | ${secs(f.faultMs)} | ${secs(f.recoveryMs)} | ${n(f.during.acked)} | ${n(sum(f.during.refused))}${sum(f.during.refused) ? ` (${codes(f.during.refused)})` : ''} | ${n(f.during.timeouts)} | ${n(f.during.dropped)} | ${n(f.during.connects)} | ${f.journalPeak === undefined ? '–' : n(f.journalPeak)} | ${secs(f.backlogClearedMs)} | ${f.notes.join('; ') || '–'} |`,
    ),
    '',
    '## Inputs tried',
    '',
    `${r.hostile.outcomes.length} hostile inputs, each on its own station identity over a raw websocket, while the`,
    `load ran: ${handled} handled as expected. Reliable stations during that time: ${n(sum(r.hostile.disturbance.closes))} disconnects,`,
    `${n(sum(r.hostile.disturbance.refused))} refusals, ${n(r.hostile.disturbance.acked)} calls acknowledged.`,
    '',
    '| Input | Expected | Observed | |',
    '|---|---|---|---|',
    ...r.hostile.outcomes.map((o) => `| ${o.name} | ${o.expected} | ${o.observed} | ${o.ok ? 'ok' : '**unexpected**'} |`),
    '',
    '## Events lost',
    '',
    `After the load stopped the journal drained to 0 entries in ${r.drainSeconds === null ? 'more than the 60 s allowed' : `${r.drainSeconds.toFixed(1)} s`}.`,
    '',
    '| | Acknowledged | Found in InfluxDB | Lost | Duplicates |',
    '|---|---|---|---|---|',
    `| Meter samples | ${n(v.samplesAcked)} | ${n(v.samplesFound)} | ${n(v.samplesLost)} | ${n(v.sampleDuplicates)} |`,
    `| Transaction events | ${n(v.txAcked)} | ${n(v.txFound)} | ${n(v.txLost)} | ${n(v.txDuplicates)} |`,
    '',
    `Stored values differing from the value sent: ${n(v.valueMismatches)}. Samples stored without an acknowledgement`,
    `(journalled, then the answer was lost or refused and the station gave up at the end): ${n(v.samplesStoredUnacked)}.`,
    `\`SELECT count(value)\` over the stations: ${n(v.countQueryTotal)}.`,
    '',
    ...(v.examples.length ? ['Findings:', '', ...v.examples.map((e) => `- ${e}`), ''] : []),
    `Transactions the collector still holds open in Redis although their station ended them (state, not`,
    `durability; reported, not asserted): ${n(r.staleOpenTx.count)}${r.staleOpenTx.examples.length ? ` — e.g. ${r.staleOpenTx.examples.join('; ')}` : ''}.`,
    '',
    '## How to run',
    '',
    '```sh',
    'npm run test:faults        # installs what is missing, builds the collector, runs the suite (about 2 minutes)',
    'npm test                   # runs it too, after the collector integration tests',
    '```',
    '',
    'Knobs (environment): `FAULT_STATIONS` (default 30), `FAULT_INTERVAL_MS` (50), `FAULT_OUTAGE_MS` (10000),',
    '`KEEP_TEST_DATA=1` keeps the data directory with every process\'s log. `FAULT_REPORT` writes this file',
    'elsewhere.',
    '',
    '## Method',
    '',
    '- Meter samples carry `Energy.Active.Import.Register` = the station\'s sequence number at a timestamp',
    '  unique to the station (ms); transaction events are 1.6 StartTransaction / StopTransaction and 2.0.1',
    '  TransactionEvent Started / Ended.',
    '- A station keeps a message until it gets a CALLRESULT: a CALLERROR, a timeout (4 s) or a lost',
    '  connection make it send the same message again. Only acknowledged messages are counted.',
    '- Every 15th message is sent once more after its CALLRESULT, as a station does whose answer was lost',
    '  on the way (for a 1.6 StartTransaction the station then uses the second transaction id).',
    '- Lost: an acknowledged sample with no point at its (station, timestamp), or an acknowledged transaction',
    '  event with no `transaction` point at its (station, event, timestamp).',
    '- Duplicates: points beyond one per (station, timestamp) (meter) or (station, event, timestamp)',
    '  (transactions), whatever their other tags. InfluxDB overwrites a point with the same measurement,',
    '  tags and time, so a message journalled twice is one point as long as it maps to the same tags.',
    '- The collector\'s SIGTERM is checked for exit code 0 and a close with code 1001 on every station.',
    '',
  ];
  return lines.join('\n');
}
