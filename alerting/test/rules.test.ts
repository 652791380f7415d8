/**
 * Alert and recording rules: promtool lint, promtool unit tests (alerting/tests/*.yml), coverage of the
 * unit tests, annotations and runbooks, and that every metric the rules use is in the data-model
 * contract (docs/data-model.md).
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { ALERTING, REPO, RULE_FILES, RUNBOOK_BASE, alertNames, alertRules, loadYaml, recordingRules, run } from './support';

const TESTS_DIR = join(ALERTING, 'tests');
const unitTestFiles = readdirSync(TESTS_DIR).filter((f) => f.endsWith('.test.yml')).map((f) => join(TESTS_DIR, f));

describe('promtool check rules --lint-fatal', () => {
  test.each(RULE_FILES)('%s', (file) => {
    const res = run('promtool', ['check', 'rules', '--lint-fatal', file]);
    expect(`${res.stdout}${res.stderr}`).toContain('SUCCESS');
    expect(res.status).toBe(0);
  });
});

describe('promtool test rules', () => {
  test('there are unit test files', () => {
    expect(unitTestFiles.length).toBeGreaterThanOrEqual(5);
  });

  test.each(unitTestFiles)('%s passes', (file) => {
    const res = run('promtool', ['test', 'rules', file]);
    if (res.status !== 0) throw new Error(`promtool test rules ${file} exited ${res.status}\n${res.stdout}\n${res.stderr}`);
    expect(res.stdout).toContain('SUCCESS');
  });

  test('the unit tests catch a StationOffline without hold period (a 2-minute reconnect would page)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cw-rules-'));
    try {
      const alerts = readFileSync(join(ALERTING, 'rules/alerts.yml'), 'utf8');
      const mutated = alerts.replace(/(- alert: StationOffline[\s\S]*?\n\s+for: )10m/, '$11m');
      expect(mutated).not.toEqual(alerts);
      writeFileSync(join(dir, 'alerts.yml'), mutated);
      copyFileSync(join(ALERTING, 'rules/recording.yml'), join(dir, 'recording.yml'));
      const tests = loadYaml<any>(join(TESTS_DIR, 'stations.test.yml'));
      tests.rule_files = [join(dir, 'recording.yml'), join(dir, 'alerts.yml')];
      writeFileSync(join(dir, 'stations.test.yml'), YAML.stringify(tests));
      const res = run('promtool', ['test', 'rules', join(dir, 'stations.test.yml')]);
      expect(res.status).not.toBe(0);
      expect(`${res.stdout}${res.stderr}`).toContain('alertname: StationOffline');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('unit test coverage', () => {
  type Case = { alertname: string; exp_alerts?: unknown[] };
  const cases: Case[] = unitTestFiles.flatMap((f) =>
    (loadYaml<any>(f).tests as any[]).flatMap((t) => (t.alert_rule_test ?? []) as Case[]),
  );

  test.each(alertNames())('%s has a case that fires and a case that must not', (name) => {
    const mine = cases.filter((c) => c.alertname === name);
    expect(mine.some((c) => (c.exp_alerts ?? []).length > 0)).toBe(true);
    expect(mine.some((c) => (c.exp_alerts ?? []).length === 0)).toBe(true);
  });

  test('every firing case checks labels and all three annotations', () => {
    for (const c of cases) {
      for (const a of (c.exp_alerts ?? []) as any[]) {
        expect(a.exp_labels?.severity).toBeDefined();
        expect(Object.keys(a.exp_annotations ?? {}).sort()).toEqual(['description', 'runbook_url', 'summary']);
      }
    }
  });

  test('both severities of multi-severity alerts are exercised', () => {
    const bySeverity = new Map<string, Set<string>>();
    for (const c of cases) for (const a of (c.exp_alerts ?? []) as any[]) {
      if (!bySeverity.has(c.alertname)) bySeverity.set(c.alertname, new Set());
      bySeverity.get(c.alertname)!.add(a.exp_labels.severity);
    }
    for (const r of alertRules()) {
      const tested = bySeverity.get(r.alert)?.has(r.labels.severity) ?? false;
      expect({ alert: r.alert, severity: r.labels.severity, tested }).toEqual({ alert: r.alert, severity: r.labels.severity, tested: true });
    }
  });
});

describe('alert metadata and runbooks', () => {
  const rules = alertRules();

  test('there is one runbook per alert and no orphan runbook', () => {
    const runbooks = readdirSync(join(ALERTING, 'runbooks')).filter((f) => f.endsWith('.md') && f !== 'README.md');
    expect(runbooks.map((f) => f.replace(/\.md$/, '')).sort()).toEqual(alertNames().sort());
  });

  test('the brief\'s alerts all exist', () => {
    expect(alertNames().sort()).toEqual(
      [
        'StationOffline', 'ConnectorFaulted', 'ConnectorStuckPreparing', 'ConnectorStuckFinishing', 'ErrorRateHigh',
        'ZeroEnergySessions', 'FleetAvailabilityLow', 'SiteAvailabilityLow', 'StationFlapping', 'HeartbeatGap',
        'ClockSkew', 'SiteDown', 'CollectorDown', 'InfluxWriteFailures', 'InfluxBacklogGrowing', 'InfluxPointsRejected', 'ValidationFailureSpike',
        'WorkerDown', 'WorkerQueueStuck', 'WorkerJobsFailing', 'JournalConsumerLagging',
        'FirmwareCampaignPaused', 'FirmwareStationNotBack', 'FirmwareWaveFailureRate', 'FirmwareDriftGrowing',
        'MisuseIncidentCritical', 'MisuseIncidentsUnattended',
      ].sort(),
    );
  });

  test.each(rules.map((r) => [`${r.alert} (${r.labels?.severity})`, r] as const))('%s', (_name, rule) => {
    expect(['critical', 'warning', 'info']).toContain(rule.labels.severity);
    expect(['noc', 'platform']).toContain(rule.labels.team);
    expect(rule.annotations.summary?.trim()).toBeTruthy();
    expect(rule.annotations.description?.trim()).toBeTruthy();
    expect(rule.annotations.runbook_url).toBe(`${RUNBOOK_BASE}${rule.alert}.md`);
    const runbook = join(ALERTING, 'runbooks', `${rule.alert}.md`);
    expect(existsSync(runbook)).toBe(true);
    const text = readFileSync(runbook, 'utf8');
    for (const section of ['## Meaning', '## Impact', '## How to confirm', '## How to fix', '## Escalation']) {
      expect(text).toContain(section);
    }
    // No machine-local path leaks into a notification.
    expect(JSON.stringify(rule.annotations)).not.toMatch(/\/(work|home|tmp|Users)\//);
  });

  test('every alert has a hold period', () => {
    for (const r of rules) expect(r.for).toMatch(/^\d+[smh]$/);
  });
});

describe('data-model contract', () => {
  const contract = readFileSync(join(REPO, 'docs/data-model.md'), 'utf8');
  const documented = new Set([...contract.matchAll(/`(chargewatch_[a-z0-9_]+)`/g)].map((m) => m[1]));
  const exprs = [...alertRules().map((r) => r.expr), ...recordingRules().map((r) => r.expr)];
  const used = new Set(exprs.flatMap((e) => [...e.matchAll(/(?<![:\w])(chargewatch_[a-z0-9_]+)/g)].map((m) => m[1])));

  test('the rules use contract metrics', () => {
    expect(used.size).toBeGreaterThan(15);
  });

  test.each([...used].sort())('%s is in docs/data-model.md', (metric) => {
    const base = metric.replace(/_(bucket|sum|count)$/, '');
    expect(documented.has(metric) || documented.has(base)).toBe(true);
  });

  test('recording rules follow level:metric:operations and every alert on a recorded series has its rule', () => {
    const recorded = new Set(recordingRules().map((r) => r.record));
    for (const name of recorded) expect(name).toMatch(/^[a-z_]+:chargewatch_[a-z0-9_]+:[a-z0-9_]+$/);
    for (const r of alertRules()) {
      for (const m of r.expr.matchAll(/\b([a-z_]+:chargewatch_[a-z0-9_]+:[a-z0-9_]+)/g)) expect(recorded.has(m[1])).toBe(true);
    }
  });
});
