/**
 * Alertmanager configuration: amtool check-config, routing of every alert rule and of the edge cases,
 * inhibitions exercised on a real Alertmanager, templates, the render step and the no-secrets rule.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { startAlertmanager, type Service } from '@chargewatch/tools';
import { ALERTING, ALERTMANAGER_YML, alertNames, alertRules, alertmanagerConfigWithWebhook, loadYaml, run } from './support';

function routesTest(expected: string, labels: Record<string, string>, configFile = ALERTMANAGER_YML) {
  return run('amtool', [
    'config', 'routes', 'test', `--config.file=${configFile}`, `--verify.receivers=${expected}`,
    ...Object.entries(labels).map(([k, v]) => `${k}=${v}`),
  ]);
}

/** The routing policy, stated independently of the YAML. Everything also goes to chat. */
function expectedReceivers(severity: string, team?: string): string {
  if (team === 'noc' || team === 'platform') {
    if (severity === 'critical') return `chat-webhook,pagerduty-${team}`;
    if (severity === 'info') return 'chat-webhook,chat-only';
    return `chat-webhook,email-${team}`;
  }
  return severity === 'critical' ? 'chat-webhook,pagerduty-noc' : 'chat-webhook';
}

describe('amtool check-config', () => {
  test('alertmanager.yml is valid and loads its templates', () => {
    const res = run('amtool', ['check-config', ALERTMANAGER_YML]);
    const out = `${res.stdout}${res.stderr}`;
    expect(out).toContain('SUCCESS');
    expect(out).toMatch(/3 inhibit rules/);
    expect(out).toMatch(/1 templates/);
    expect(res.status).toBe(0);
  });

  test('a broken config is reported (the check can fail)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cw-am-'));
    try {
      const doc = loadYaml<any>(ALERTMANAGER_YML);
      doc.route.receiver = 'no-such-receiver';
      writeFileSync(join(dir, 'alertmanager.yml'), YAML.stringify(doc));
      expect(run('amtool', ['check-config', join(dir, 'alertmanager.yml')]).status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('amtool config routes test', () => {
  const rules = alertRules();
  test.each(rules.map((r) => [r.alert, r.labels.severity, r.labels.team] as const))(
    '%s (%s, team %s)',
    (alertname, severity, team) => {
      const expected = expectedReceivers(severity, team);
      const res = routesTest(expected, { alertname, severity, team, site: 'depot-1' });
      if (res.status !== 0) throw new Error(`expected ${expected}, amtool said: ${res.stdout}${res.stderr}`);
      expect(res.stdout.trim()).toBe(expected);
    },
  );

  test.each([
    ['critical without team still pages', { alertname: 'X', severity: 'critical' }, 'chat-webhook,pagerduty-noc'],
    ['warning without team goes to chat only', { alertname: 'X', severity: 'warning' }, 'chat-webhook'],
    ['platform info', { alertname: 'X', severity: 'info', team: 'platform' }, 'chat-webhook,chat-only'],
    ['unlabelled alert', { alertname: 'X' }, 'chat-webhook'],
  ] as const)('%s', (_name, labels, expected) => {
    const res = routesTest(expected, labels);
    expect(res.stdout.trim()).toBe(expected);
    expect(res.status).toBe(0);
  });

  test('a wrong expectation fails (the verification can fail)', () => {
    const res = routesTest('chat-webhook,email-noc', { alertname: 'SiteDown', severity: 'critical', team: 'noc' });
    expect(res.status).not.toBe(0);
  });
});

describe('routing tree', () => {
  const doc = loadYaml<any>(ALERTMANAGER_YML);

  test('groups by alertname and site with sane timers', () => {
    expect(doc.route.group_by).toEqual(['alertname', 'site']);
    expect(doc.route.group_wait).toBe('30s');
    expect(doc.route.group_interval).toBe('5m');
    expect(doc.route.repeat_interval).toBe('4h');
  });

  test('inhibition target regexes name only existing alerts, and every station-level alert is covered', () => {
    const names = new Set(alertNames());
    const targets = (rule: any) =>
      (rule.target_matchers as string[]).flatMap((m) => {
        const match = /^alertname=~"(.*)"$/.exec(m);
        return match ? match[1].split('|') : [];
      });
    const bySource = new Map<string, string[]>();
    for (const rule of doc.inhibit_rules) {
      const src = (rule.source_matchers as string[]).find((m) => m.startsWith('alertname='));
      if (src) bySource.set(src, targets(rule));
      for (const t of targets(rule)) expect(names).toContain(t);
    }
    const stationLevel = ['StationOffline', 'HeartbeatGap', 'ConnectorFaulted', 'ConnectorStuckPreparing', 'ConnectorStuckFinishing'];
    expect(bySource.get('alertname="SiteDown"')).toEqual(expect.arrayContaining(stationLevel));
    expect(bySource.get('alertname="CollectorDown"')).toEqual(expect.arrayContaining([...stationLevel, 'SiteDown']));
    expect(doc.inhibit_rules.find((r: any) => r.source_matchers.includes('alertname="SiteDown"')).equal).toEqual(['site']);
  });
});

describe('inhibitions on a real Alertmanager', () => {
  let dir: string;
  let am: Service;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cw-am-inhibit-'));
    // Receivers point at a closed port: nothing is delivered, inhibition state is what we read.
    am = await startAlertmanager(dir, alertmanagerConfigWithWebhook('http://127.0.0.1:9/unused'));
  });

  afterAll(async () => {
    await am?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function post(alerts: Record<string, string>[]) {
    const startsAt = new Date().toISOString();
    const res = await fetch(`${am.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts.map((labels) => ({ labels, annotations: { summary: 'test' }, startsAt }))),
    });
    expect(res.status).toBe(200);
  }

  async function inhibited(): Promise<Map<string, boolean>> {
    const res = await fetch(`${am.url}/api/v2/alerts`);
    const alerts = (await res.json()) as { labels: Record<string, string>; status: { inhibitedBy: string[] } }[];
    return new Map(
      alerts.map((a) => [
        `${a.labels.alertname}/${a.labels.site ?? ''}/${a.labels.station_id ?? a.labels.instance ?? ''}/${a.labels.severity}`,
        a.status.inhibitedBy.length > 0,
      ]),
    );
  }

  test('SiteDown mutes its own site only; critical mutes warning of the same alert and target', async () => {
    await post([
      { alertname: 'SiteDown', site: 'depot-1', severity: 'critical', team: 'noc' },
      { alertname: 'StationOffline', site: 'depot-1', station_id: 'CP-1', severity: 'warning', team: 'noc' },
      { alertname: 'ConnectorFaulted', site: 'depot-1', station_id: 'CP-2', evse: '1', connector: '1', severity: 'warning', team: 'noc' },
      { alertname: 'StationOffline', site: 'depot-2', station_id: 'CP-7', severity: 'warning', team: 'noc' },
      { alertname: 'InfluxBacklogGrowing', instance: 'c1:9100', job: 'chargewatch-collector', severity: 'critical', team: 'platform' },
      { alertname: 'InfluxBacklogGrowing', instance: 'c1:9100', job: 'chargewatch-collector', severity: 'warning', team: 'platform' },
      { alertname: 'InfluxBacklogGrowing', instance: 'c2:9100', job: 'chargewatch-collector', severity: 'warning', team: 'platform' },
    ]);
    const state = await inhibited();
    expect(Object.fromEntries(state)).toEqual({
      'SiteDown/depot-1//critical': false,
      'StationOffline/depot-1/CP-1/warning': true,
      'ConnectorFaulted/depot-1/CP-2/warning': true,
      'StationOffline/depot-2/CP-7/warning': false,
      'InfluxBacklogGrowing//c1:9100/critical': false,
      'InfluxBacklogGrowing//c1:9100/warning': true,
      'InfluxBacklogGrowing//c2:9100/warning': false,
    });
  });

  test('CollectorDown of a collector mutes station alerts everywhere; a worker target does not', async () => {
    await post([{ alertname: 'CollectorDown', job: 'chargewatch-worker', instance: 'w1:9101', severity: 'critical', team: 'platform' }]);
    expect((await inhibited()).get('StationOffline/depot-2/CP-7/warning')).toBe(false);
    await post([{ alertname: 'CollectorDown', job: 'chargewatch-collector', instance: 'c1:9100', severity: 'critical', team: 'platform' }]);
    const state = await inhibited();
    expect(state.get('StationOffline/depot-2/CP-7/warning')).toBe(true);
    expect(state.get('InfluxBacklogGrowing//c2:9100/warning')).toBe(false);
  });
});

describe('notification templates', () => {
  test('subject and body name the group, count firing alerts and link the runbook', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cw-tmpl-'));
    try {
      const alert = (station: string) => ({
        status: 'firing',
        labels: { alertname: 'ConnectorFaulted', site: 'depot-1', station_id: station, severity: 'warning' },
        annotations: { summary: `Connector 1/1 of station ${station} is Faulted`, description: 'desc', runbook_url: 'https://example.org/rb.md' },
        startsAt: '2024-01-01T00:00:00Z',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus/graph',
        fingerprint: station,
      });
      writeFileSync(
        join(dir, 'data.json'),
        JSON.stringify({
          receiver: 'email-noc',
          status: 'firing',
          alerts: [alert('CP-1'), alert('CP-2')],
          groupLabels: { alertname: 'ConnectorFaulted', site: 'depot-1' },
          commonLabels: { alertname: 'ConnectorFaulted', site: 'depot-1', severity: 'warning' },
          commonAnnotations: {},
          externalURL: 'http://alertmanager:9093',
        }),
      );
      const render = (name: string) => {
        const res = run('amtool', [
          'template', 'render', `--template.glob=${join(ALERTING, 'templates/*.tmpl')}`,
          `--template.data=${join(dir, 'data.json')}`, `--template.text={{ template "${name}" . }}`,
        ]);
        expect(res.status).toBe(0);
        return res.stdout;
      };
      expect(render('chargewatch.email.subject')).toBe('[FIRING warning] ConnectorFaulted at depot-1 (2 firing)');
      expect(render('chargewatch.pagerduty.description')).toBe('ConnectorFaulted at depot-1 (2 firing): Connector 1/1 of station CP-1 is Faulted');
      const text = render('chargewatch.email.text');
      expect(text).toContain('- Connector 1/1 of station CP-2 is Faulted');
      expect(text).toContain('Runbook: https://example.org/rb.md');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('secrets', () => {
  const raw = readFileSync(ALERTMANAGER_YML, 'utf8');
  const doc = loadYaml<any>(ALERTMANAGER_YML);

  test('credentials are only referenced through files', () => {
    expect(raw).not.toMatch(/^\s*(routing_key|service_key|auth_password|smtp_auth_password|api_key|bot_token|credentials):/m);
    expect(doc.global.smtp_auth_password_file).toMatch(/^\/run\/secrets\//);
    for (const r of doc.receivers) {
      for (const pd of r.pagerduty_configs ?? []) expect(pd.routing_key_file).toMatch(/^\/run\/secrets\//);
      for (const wh of r.webhook_configs ?? []) expect(new URL(wh.url).hostname).toMatch(/\.invalid$/);
    }
  });
});

describe('render-alertmanager-config.sh', () => {
  test('substitutes env and secret-file placeholders, escapes quotes, keeps the rest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cw-render-'));
    try {
      mkdirSync(join(dir, 'secrets'));
      const url = "https://hooks.example.com/services/T0/B0?a=1&b=it's";
      writeFileSync(join(dir, 'secrets/webhook_url'), `${url}\n`);
      const env: NodeJS.ProcessEnv = { ...process.env, ALERTMANAGER_SECRETS_DIR: join(dir, 'secrets'), AM_SMTP_SMARTHOST: 'mail.acme.test:2525', AM_NOC_EMAIL: 'noc@acme.test' };
      delete env.AM_PLATFORM_EMAIL;
      const res = run('sh', [join(ALERTING, 'bin/render-alertmanager-config.sh'), ALERTING, join(dir, 'out')], { env });
      expect(res.stderr).toBe('');
      expect(res.status).toBe(0);
      const rendered = loadYaml<any>(join(dir, 'out/alertmanager.yml'));
      const receiver = (name: string) => rendered.receivers.find((r: any) => r.name === name);
      expect(receiver('chat-webhook').webhook_configs[0].url).toBe(url);
      expect(rendered.global.smtp_smarthost).toBe('mail.acme.test:2525');
      expect(receiver('email-noc').email_configs[0].to).toBe('noc@acme.test');
      expect(receiver('email-platform').email_configs[0].to).toBe('platform@example.org');
      const original = loadYaml<any>(ALERTMANAGER_YML);
      expect(rendered.route).toEqual(original.route);
      expect(rendered.inhibit_rules).toEqual(original.inhibit_rules);
      const check = run('amtool', ['check-config', join(dir, 'out/alertmanager.yml')]);
      expect(check.status).toBe(0);
      expect(check.stdout).toMatch(/1 templates/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
