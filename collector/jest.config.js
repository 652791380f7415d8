/**
 * Two projects: `unit` runs in-process against fakes; `integration` starts real Redis, InfluxDB and
 * Prometheus once per run (tools/src/harness/global-setup.ts) and shares their URLs through env.
 */
const { integrationProject, unitProject } = require('../jest.shared');

module.exports = {
  projects: [unitProject(__dirname), integrationProject(__dirname)],
  testTimeout: 60000,
};
