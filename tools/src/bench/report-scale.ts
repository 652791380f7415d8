/** Rendering of the scale scenario (scale.ts): rows for the main table and a section of docs/benchmarks.md. */
import { fmt } from './report-placements';
import { SCALE_TARGETS, type ScaleResults } from './scale';

const pf = (ok: boolean) => (ok ? 'pass' : '**FAIL**');

export function scaleRows(s: ScaleResults | undefined): Array<[string, string, string, string]> {
  if (!s) return [];
  const i = s.idle;
  const st = s.storm;
  const errors = st ? Object.values(st.errors).reduce((a, b) => a + b, 0) : 0;
  const stormRows = (): Array<[string, string, string, string]> =>
    st
      ? [
          [`4′. reconnect storm, ${fmt(st.stations)} stations`, `${fmt(st.ms / 1000, 1)} s (${fmt(st.booted)} booted, ${fmt(errors)} errors)`, 'all in 60 s, 0 errors', pf(st.booted === st.stations && errors === 0 && st.ms <= SCALE_TARGETS.stormMs)],
          [`    shaped: HTTP 503 / Pending boots`, `${fmt(st.deferredHandshakes)} / ${fmt(st.pendingBoots)}`, '', ''],
        ]
      : [];
  return [
    [`3′. RSS per idle station, ${fmt(i.booted)} on ${s.settings.processes} processes`, `${fmt(i.perStationKB, 1)} KB`, '≤ 30 KB', pf(i.perStationKB <= SCALE_TARGETS.rssPerStationKB && i.booted === s.settings.stations)],
    [`    load generators (${s.loadgens} processes): cores opening / idle`, `${fmt(i.loadgenCoresOpen, 2)} / ${fmt(i.loadgenCoresIdle, 2)}`, '', ''],
    ...stormRows(),
    ...s.steps.map((x): [string, string, string, string] => [`6. closed loop, ${x.processes} collector process(es)`, `${fmt(x.rate)} msg/s; Redis ${fmt(x.redisOpsPerSec)} cmd/s; InfluxDB ${fmt(x.influxPointsPerSec)} points/s`, 'scales', '']),
  ];
}

export function scaleMarkdown(s: ScaleResults | undefined): string[] {
  if (!s) return [];
  const st = s.storm;
  return [
    '## Scale on one host (COLLECTOR_PROCESSES)',
    '',
    `\`chargewatch collector\` with COLLECTOR_PROCESSES=${s.settings.processes} (node:cluster, one OCPP port); ${fmt(s.settings.stations)} stations from ${s.loadgens} load generator processes over ${s.settings.addresses} loopback source addresses. RSS is the growth of the sum of the collector processes' VmRSS (median of 5 readings) from before the stations connected to after they booted; per process after: ${s.idle.perProcessKB.map((k) => fmt(k / 1024)).join(', ')} MiB. Opening took ${fmt(s.idle.openMs / 1000, 1)} s (128 handshakes in flight per generator).`,
    '',
    ...(st ? [`Storm: every socket reset at once, 5 s later every station connects and boots at once; the collector answers handshakes beyond OCPP_MAX_CONCURRENT_HANDSHAKES with 503 + Retry-After and boots beyond OCPP_MAX_CONCURRENT_BOOTS with Pending + interval, which the generator follows (neither counts as an error). p50 / p99 time to an Accepted boot ${fmt(st.p50 / 1000, 1)} / ${fmt(st.p99 / 1000, 1)} s; errors: ${Object.keys(st.errors).length ? Object.entries(st.errors).map(([k, v]) => `${k} × ${v}`).join('; ') : 'none'}; cores during the storm: collectors ${fmt(st.collectorCores, 2)}, load generators ${fmt(st.loadgenCores, 2)}.`, ''] : []),
    `Closed loop (${fmt(s.settings.connections)} connections, ${fmt(s.settings.throughputMs / 1000)} s) by number of collector processes; Redis commands from INFO total_commands_processed, InfluxDB points from /debug/vars write.pointReq; cores = CPU seconds per second:`,
    '',
    '| processes | msg/s | Redis cmd/s | InfluxDB points/s | cores: collectors | Redis | InfluxDB | load generators | whole machine |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...s.steps.map((x) => `| ${x.processes} | ${fmt(x.rate)} | ${fmt(x.redisOpsPerSec)} | ${fmt(x.influxPointsPerSec)} | ${fmt(x.cores.collectors, 2)} | ${fmt(x.cores.redis, 2)} | ${fmt(x.cores.influxdb, 2)} | ${fmt(x.cores.loadgens, 2)} | ${fmt(x.cores.machine, 2)} |`),
    '',
  ];
}
