// End-to-end stage of `npm test`: one real stack (services, collector, simulated fleet) shared by the
// tests that need everything running. Their URLs reach the tests through E2E_* env vars.
export async function runEndToEnd({ root, runJest, step, record }) {
  const { startStack } = await import(`${root}/collector/dist/devstack/stack.js`);
  console.log('\n=== end-to-end: starting services, collector and a simulated fleet ===');
  const stack = await startStack({ stations: 20, seed: 7, speed: 10, persistent: false, withAlerting: true, log: (m) => console.log(m) });
  try {
    await stack.waitForData();
    const env = stack.e2eEnv();
    runJest('end-to-end: alert delivery and dashboard queries', ['-c', 'jest.config.js', '--selectProjects', 'e2e'], env);
    const { runPluginChecks } = await import('./plugin.mjs');
    await runPluginChecks({ root, env, runJest, step, record });
  } finally {
    await stack.stop();
  }
}
