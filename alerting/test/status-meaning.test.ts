/**
 * The rules' idea of a connector status is the one in model/src/status.ts.
 *
 * 1. Semantics: promtool evaluates the recording rules for every status code, on a connected and on a
 *    disconnected station, and the results must equal what the model computes (availability class per
 *    port, site availability ratio, faulted count; the station-level connector 0 is no port).
 * 2. Text: every comparison on a status code in the rule files is one the model generates
 *    (promValueIn over a named status set) for that rule; a new or changed code literal fails here
 *    until it is declared below.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import {
  CONNECTOR_STATUSES,
  CONNECTOR_STATUS_CODE,
  FAULTED_STATUSES,
  PROM_PORTS_ONLY,
  UNCOUNTED_STATUSES,
  WORKING_STATUSES,
  availabilityClass,
  availabilityRatio,
  countAvailability,
  isFaulted,
  promValueIn,
  type ConnectorStatus,
} from '../../model/src/status';
import { ALERTING, alertRules, recordingRules, run } from './support';

const RAW = 'chargewatch_connector_status_code';
const CURRENT = 'connector:chargewatch_connector_status_code:current';
const SITE = 'status-check';

interface Port {
  station: string;
  status: ConnectorStatus;
  online: boolean;
}

const ports: Port[] = CONNECTOR_STATUSES.flatMap((status) => [
  { station: `S-${CONNECTOR_STATUS_CODE[status]}-on`, status, online: true },
  { station: `S-${CONNECTOR_STATUS_CODE[status]}-off`, status, online: false },
]);

function promtoolCase() {
  const series: Array<{ series: string; values: string }> = [];
  for (const p of ports) {
    const base = `job="chargewatch-collector",instance="c1:9100",station_id="${p.station}",site="${SITE}"`;
    const code = CONNECTOR_STATUS_CODE[p.status];
    series.push({ series: `chargewatch_station_connected{${base}}`, values: `${p.online ? 1 : 0}x10` });
    series.push({ series: `${RAW}{${base},evse="1",connector="1"}`, values: `${code}x10` });
    // The OCPP 1.6 station-level connector carries the same status and must never count as a port.
    series.push({ series: `${RAW}{${base},evse="0",connector="0"}`, values: `${code}x10` });
  }
  const available = ports
    .map((p) => ({ p, cls: availabilityClass(p.status, p.online) }))
    .filter(({ cls }) => cls !== 'uncounted')
    .map(({ p, cls }) => ({
      labels: `connector:chargewatch_connector_available:bool{station_id="${p.station}",site="${SITE}",evse="1",connector="1"}`,
      value: cls === 'working' ? 1 : 0,
    }));
  const ratio = availabilityRatio(countAvailability(ports));
  const faulted = ports.filter((p) => p.online && isFaulted(p.status)).length;
  return {
    interval: '1m',
    input_series: series,
    promql_expr_test: [
      { expr: `connector:chargewatch_connector_available:bool{site="${SITE}"}`, eval_time: '5m', exp_samples: available },
      {
        expr: `site:chargewatch_availability:ratio{site="${SITE}"}`,
        eval_time: '5m',
        exp_samples: [{ labels: `site:chargewatch_availability:ratio{site="${SITE}"}`, value: ratio }],
      },
      {
        expr: `site:chargewatch_connectors_known:count{site="${SITE}"}`,
        eval_time: '5m',
        exp_samples: [{ labels: `site:chargewatch_connectors_known:count{site="${SITE}"}`, value: available.length }],
      },
      {
        expr: `site:chargewatch_connectors_faulted:count{site="${SITE}"}`,
        eval_time: '5m',
        exp_samples: [{ labels: `site:chargewatch_connectors_faulted:count{site="${SITE}"}`, value: faulted }],
      },
      {
        expr: 'fleet:chargewatch_connectors_faulted:count',
        eval_time: '5m',
        exp_samples: [{ labels: 'fleet:chargewatch_connectors_faulted:count', value: faulted }],
      },
    ],
  };
}

describe('recording rules compute what model/src/status.ts defines', () => {
  test('for every status code on connected and disconnected stations', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cw-status-'));
    try {
      const file = join(dir, 'status.test.yml');
      const doc = { rule_files: [join(ALERTING, 'rules/recording.yml')], evaluation_interval: '1m', tests: [promtoolCase()] };
      writeFileSync(file, YAML.stringify(doc));
      const res = run('promtool', ['test', 'rules', file]);
      if (res.status !== 0) throw new Error(`promtool test rules failed:\n${res.stdout}\n${res.stderr}`);
      expect(res.stdout).toContain('SUCCESS');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Whitespace-insensitive form of a PromQL expression. */
const norm = (e: string) => e.replace(/\s+/g, ' ').replace(/\(\s+/g, '(').replace(/\s+\)/g, ')').trim();

/** Comparisons on a status code: the metric (raw or recorded), its matchers, then `op number` chains. */
const CODE_COMPARISON = /(?:connector:)?chargewatch_connector_status_code(?::current)?(?:\{[^}]*\})?\s*(?:(?:==|!=|>=|<=|>|<)\s*\d+\s*)+/g;

/** What each rule that compares status codes may contain, written by the model's helper. */
const EXPECTED: Record<string, string[]> = {
  'connector:chargewatch_connector_available:bool': [
    promValueIn(`${CURRENT}{${PROM_PORTS_ONLY}}`, WORKING_STATUSES),
    promValueIn(CURRENT, UNCOUNTED_STATUSES),
  ],
  'site:chargewatch_connectors_faulted:count': [promValueIn(`${CURRENT}{${PROM_PORTS_ONLY}}`, FAULTED_STATUSES)],
  'fleet:chargewatch_connectors_faulted:count': [promValueIn(`${CURRENT}{${PROM_PORTS_ONLY}}`, FAULTED_STATUSES)],
  ConnectorFaulted: [promValueIn(RAW, FAULTED_STATUSES)],
  ConnectorStuckPreparing: [promValueIn(RAW, ['Preparing'])],
  ConnectorStuckFinishing: [promValueIn(RAW, ['Finishing'])],
};

const rules = [
  ...recordingRules().map((r) => ({ name: r.record, expr: r.expr })),
  ...alertRules().map((r) => ({ name: r.alert, expr: r.expr })),
];

describe('status code literals in the rule files', () => {
  test.each(Object.entries(EXPECTED))('%s uses the model\'s code sets', (name, fragments) => {
    const mine = rules.filter((r) => r.name === name);
    expect(mine.length).toBeGreaterThan(0);
    for (const r of mine) for (const f of fragments) expect(norm(r.expr)).toContain(norm(f));
  });

  test('no rule compares a status code in any other way', () => {
    const stray: string[] = [];
    for (const r of rules) {
      let rest = norm(r.expr);
      for (const f of EXPECTED[r.name] ?? []) rest = rest.split(norm(f)).join(' ');
      for (const m of rest.matchAll(CODE_COMPARISON)) stray.push(`${r.name}: ${m[0].trim()}`);
    }
    expect(stray).toEqual([]);
  });

  test('the literal finder sees the comparisons it must judge (it cannot pass by matching nothing)', () => {
    const found = rules.flatMap((r) => [...norm(r.expr).matchAll(CODE_COMPARISON)].map((m) => m[0]));
    expect(found.length).toBeGreaterThanOrEqual(Object.values(EXPECTED).flat().length);
    expect([...'x{a="b"} == 9 and y'.matchAll(CODE_COMPARISON)]).toHaveLength(0);
    expect([...`${RAW}{evse="1"} >= 1 <= 7`.matchAll(CODE_COMPARISON)]).toHaveLength(1);
  });
});
