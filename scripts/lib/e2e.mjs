// End-to-end stage of `npm test`: one real stack (services, collector, simulated fleet) shared by the
// tests that need everything running. Their URLs reach the tests through E2E_* env vars.
async function poll(what, probe, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export async function runEndToEnd({ root, runJest, step, record }) {
  const { startStack } = await import(`${root}/tools/dist/index.js`);
  console.log('\n=== end-to-end: starting services, collector and a simulated fleet ===');
  // Simulated time runs 60x faster with frequent faults, so sessions end and errors happen within a
  // minute: the dashboards' history panels need both.
  const stack = await startStack({
    stations: 20,
    seed: 7,
    speed: 60,
    persistent: false,
    withAlerting: true,
    simulatorArgs: ['--meter-interval', '60', '--idle-mean', '300', '--fault-probability', '0.3'],
    log: (m) => console.log(m),
  });
  try {
    await stack.waitForData();
    const prom = async (q) => {
      const body = await (await fetch(`${stack.prometheus.url}/api/v1/query?${new URLSearchParams({ query: q })}`)).json();
      return Number(body.data.result[0]?.value[1] ?? 0);
    };
    await poll('an ended session and a connector error', async () => (await prom('sum(chargewatch_sessions_ended_total)')) > 0 && (await prom('sum(chargewatch_connector_errors_total)')) > 0, 180_000);
    const stationWithSession = await poll('a station with an ended session in InfluxDB', async () => {
      const q = new URLSearchParams({ db: stack.database, q: `SELECT last(transaction_id) FROM "transaction" WHERE event = 'ended' GROUP BY station_id` });
      const body = await (await fetch(`${stack.influx.url}/query?${q}`)).json();
      return body.results[0]?.series?.[0]?.tags?.station_id;
    }, 60_000);
    // Recording rules evaluate every scrape interval; give them two rounds on the new data.
    await new Promise((r) => setTimeout(r, 12_000));
    const env = { ...stack.e2eEnv(), E2E_STATION_ID: stationWithSession };
    console.log(`end-to-end stack ready: API ${stack.apiUrl}, Prometheus ${stack.prometheus.url}, station ${stationWithSession}`);
    runJest('end-to-end: alert delivery and dashboard queries', ['-c', 'jest.config.js', '--selectProjects', 'e2e'], env);
    const { runPluginChecks } = await import('./plugin.mjs');
    await runPluginChecks({ root, env, runJest, step, record });
  } finally {
    await stack.stop();
  }
}
