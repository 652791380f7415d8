/**
 * End to end: a station reports a Faulted connector to the running collector, and the ConnectorFaulted
 * notification reaches a webhook through a real Prometheus (our rule files) and a real Alertmanager
 * (our alertmanager.yml: routes, group_by and inhibitions unchanged, receivers pointed at this test).
 *
 * Needs (set by scripts/test.mjs, which starts the stack):
 *   E2E_OCPP_URL        OCPP websocket base of the collector, e.g. ws://127.0.0.1:9000/ocpp
 *   E2E_METRICS_TARGET  host:port of the collector's /metrics
 *
 * The real rules are used unscaled: ConnectorFaulted holds for 1m and the route's group_wait is 30s,
 * so the notification arrives about 95 s after the fault.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RPCClient } from 'ocpp-rpc';
import { freePort, startAlertmanager, startPrometheus, type PrometheusService, type Service } from '@chargewatch/tools';
import { RULE_FILES, RUNBOOK_BASE, alertmanagerConfigWithWebhook } from './support';

interface WebhookAlert {
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
interface WebhookPayload {
  receiver: string;
  status: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  alerts: WebhookAlert[];
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: this end-to-end test needs the running stack (run it through \`npm test\`, which sets E2E_* variables)`);
  }
  return value;
}

describe('alert delivery', () => {
  const ocppUrl = process.env.E2E_OCPP_URL ?? '';
  const metricsTarget = process.env.E2E_METRICS_TARGET ?? '';
  const stationId = `e2e-alert-${process.pid}-${Date.now().toString(36)}`;
  const received: WebhookPayload[] = [];
  let dir: string;
  let webhook: Server | undefined;
  let am: Service | undefined;
  let prom: PrometheusService | undefined;
  let station: RPCClient | undefined;

  beforeAll(async () => {
    requireEnv('E2E_OCPP_URL');
    requireEnv('E2E_METRICS_TARGET');
    dir = mkdtempSync(join(tmpdir(), 'cw-alert-e2e-'));

    const hookPort = await freePort();
    webhook = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        try {
          received.push(JSON.parse(body) as WebhookPayload);
        } catch {
          /* not a notification */
        }
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => webhook!.listen(hookPort, '127.0.0.1', resolve));

    am = await startAlertmanager(dir, alertmanagerConfigWithWebhook(`http://127.0.0.1:${hookPort}/alerts`));
    prom = await startPrometheus(dir, { ruleFiles: RULE_FILES, alertmanagerUrl: am.url, scrapeIntervalSec: 1 });
    prom.setTargets([metricsTarget]);
  });

  afterAll(async () => {
    await station?.close({ force: true }).catch(() => undefined);
    await prom?.stop();
    await am?.stop();
    await new Promise((resolve) => (webhook ? webhook.close(resolve) : resolve(undefined)));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function promQuery(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
    const res = await fetch(`${prom!.url}/api/v1/query?${new URLSearchParams({ query: expr })}`);
    const body = (await res.json()) as any;
    if (body.status !== 'success') throw new Error(`query ${expr} failed: ${JSON.stringify(body)}`);
    return body.data.result;
  }

  async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const value = await probe().catch(() => undefined);
      if (value !== undefined) return value;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
  }

  test('a Faulted connector pages the NOC queue as ConnectorFaulted, grouped by alertname and site', async () => {
    // Prometheus scrapes the collector.
    await until(`Prometheus to scrape ${metricsTarget}`, 20_000, async () => {
      const up = await promQuery('up{job="chargewatch-collector"}');
      return up.length === 1 && up[0].value[1] === '1' ? true : undefined;
    });

    // ocpp-rpc's typings mark every option as required; the library fills in defaults.
    const options = { endpoint: ocppUrl, identity: stationId, protocols: ['ocpp1.6'], strictMode: true, reconnect: false };
    station = new RPCClient(options as unknown as ConstructorParameters<typeof RPCClient>[0]);
    station.handle(async () => ({})); // answer whatever the collector asks (e.g. configuration reads)
    await station.connect();
    const boot = (await station.call('BootNotification', { chargePointVendor: 'ChargeWatch', chargePointModel: 'E2E-Alert' })) as { status: string };
    expect(boot.status).toBe('Accepted');
    await station.call('StatusNotification', { connectorId: 1, errorCode: 'GroundFailure', status: 'Faulted' });
    const faultedAt = Date.now();

    // The collector exports the fault; its labels are what the alert must carry.
    const series = await until('chargewatch_connector_status_code == 9 for the test station', 20_000, async () => {
      const r = await promQuery(`chargewatch_connector_status_code{station_id="${stationId}"} == 9`);
      return r.length > 0 ? r[0] : undefined;
    });
    const site = series.metric.site ?? '';

    // The alert goes pending at once and must not fire before its hold period.
    await until('ConnectorFaulted pending in Prometheus', 20_000, async () => {
      const r = await promQuery(`ALERTS{alertname="ConnectorFaulted", station_id="${stationId}"}`);
      return r.some((s) => s.metric.alertstate === 'pending') ? true : undefined;
    });
    expect(received.some((p) => p.alerts.some((a) => a.labels.station_id === stationId))).toBe(false);

    // Hold period (1m) + group_wait (30s) + evaluation and delivery slack.
    const isOurs = (a: WebhookAlert) => a.labels.alertname === 'ConnectorFaulted' && a.labels.station_id === stationId && a.status === 'firing';
    await until('ConnectorFaulted notifications to chat-webhook and email-noc', 150_000, async () => {
      const receivers = new Set(received.filter((p) => p.alerts.some(isOurs)).map((p) => p.receiver));
      return receivers.has('chat-webhook') && receivers.has('email-noc') ? true : undefined;
    });
    expect(Date.now() - faultedAt).toBeGreaterThanOrEqual(60_000);

    for (const payload of received.filter((p) => p.alerts.some(isOurs))) {
      const alert = payload.alerts.find(isOurs)!;
      const expectedLabels: Record<string, string> = {
        alertname: 'ConnectorFaulted',
        station_id: stationId,
        evse: '1',
        connector: '1',
        severity: 'warning',
        team: 'noc',
      };
      if (site) expectedLabels.site = site;
      // Prometheus drops empty labels: an unassigned station's alert has no site label at all.
      expect(alert.labels).toEqual(expectedLabels);
      expect(alert.annotations.runbook_url).toBe(`${RUNBOOK_BASE}ConnectorFaulted.md`);
      expect(alert.annotations.summary).toBe(`Connector 1/1 of station ${stationId} is Faulted`);
      // Grouping: one notification per alertname and site; every alert in it shares both.
      expect(payload.groupLabels).toEqual(site ? { alertname: 'ConnectorFaulted', site } : { alertname: 'ConnectorFaulted' });
      for (const other of payload.alerts) {
        expect(other.labels.alertname).toBe('ConnectorFaulted');
        expect(other.labels.site ?? '').toBe(site);
      }
    }
    // Nothing pages for a single faulted connector.
    expect(received.filter((p) => p.receiver.startsWith('pagerduty-') && p.alerts.some((a) => a.labels.station_id === stationId))).toEqual([]);
  });
});
