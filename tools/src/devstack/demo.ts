/**
 * `chargewatch demo` (behind `npm run demo`): the local pipeline with a fleet of 50 simulated
 * stations on fixed ports, data kept under .data/demo for the next run. Ctrl-C stops everything.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { assertPortsFree } from './ports';
import { ManagedProcess } from './process';
import { seedDemoFirmware } from './demo-firmware';
import { REPO_ROOT, startStack } from './stack';

export const DEMO_PORTS = { redis: 16379, influxdb: 18086, postgres: 15432, prometheus: 19090, alertmanager: 19093, ocpp: 19000, api: 19100, worker: 19102 } as const;
const PLUGIN_PAGE_PORT = 13300;

export async function demoCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { stations: { type: 'string', default: '50' }, seed: { type: 'string', default: '1' } },
  });
  const stations = Number(values.stations);
  try {
    await assertPortsFree({ ...DEMO_PORTS, 'plugin page': PLUGIN_PAGE_PORT });
  } catch (err) {
    console.error(`chargewatch demo: ${(err as Error).message}`);
    process.exit(1);
  }
  const stack = await startStack({
    stations,
    seed: Number(values.seed),
    speed: 1,
    persistent: true,
    withAlerting: true,
    ports: DEMO_PORTS,
    apiToken: 'demo-token',
    // A few stations fail their firmware updates, so a campaign in the demo shows its gates at work.
    simulatorArgs: ['--firmware-failures', 'downloadFailed=0.03,installFailed=0.03,oldVersionAfterReboot=0.02'],
    log: (m) => console.log(m),
  });
  let page: ManagedProcess | undefined;
  const pageServer = join(REPO_ROOT, 'grafana-plugin', 'standalone', 'server.mjs');
  if (existsSync(join(REPO_ROOT, 'grafana-plugin', 'standalone', 'dist'))) {
    page = new ManagedProcess('plugin-page', process.execPath, [pageServer, '--port', String(PLUGIN_PAGE_PORT)], stack.dataDir, {
      ...process.env,
      CHARGEWATCH_API_URL: stack.apiUrl,
      CHARGEWATCH_API_TOKEN: stack.apiToken,
      PROMETHEUS_URL: stack.prometheus.url,
    });
  }
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping …');
    await page?.stop();
    await stack.stop();
    console.log('stopped; data kept in', stack.dataDir);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  await stack.waitForData(60_000);
  const releases = await seedDemoFirmware(stack.apiUrl, stack.apiToken).catch((err: Error) => {
    console.error(`demo firmware catalogue not seeded: ${err.message}`);
    return 0;
  });
  if (releases) console.log(`seeded ${releases} firmware release(s) as targets: the Firmware page shows drift; start a campaign there`);
  const lines = [
    '',
    'ChargeWatch demo is running:',
    `  OCPP endpoint        ${stack.ocppUrl}/{stationId}   (OCPP 1.6J and 2.0.1)`,
    `  Collector API        ${stack.apiUrl}/api/v1/stations   (Authorization: Bearer ${stack.apiToken})`,
    `  OpenAPI document     ${stack.apiUrl}/openapi.json`,
    `  Collector metrics    ${stack.apiUrl}/metrics`,
    `  Worker metrics       ${stack.workerUrl}/metrics   (housekeeping queue, BullMQ; the InfluxDB writer)`,
    `  Prometheus           ${stack.prometheus.url}/graph?g0.expr=chargewatch_connectors`,
    `  Alertmanager         ${stack.alertmanager?.url ?? '(not started)'}`,
    `  InfluxDB (InfluxQL)  ${stack.influx.url}/query?db=${stack.database}&q=SHOW+MEASUREMENTS`,
    `  Redis                ${stack.redis.url}`,
    `  PostgreSQL           ${stack.postgres.url}`,
    page ? `  Plugin pages         http://127.0.0.1:${PLUGIN_PAGE_PORT}/` : '  Plugin pages         (build it first: npm ci --prefix grafana-plugin && npm run build:standalone --prefix grafana-plugin)',
    `  Logs and data        ${stack.dataDir}`,
    '',
    `Simulating ${stations} stations. Press Ctrl-C to stop every process.`,
  ];
  console.log(lines.join('\n'));
  await new Promise(() => undefined);
}
