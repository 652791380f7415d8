/**
 * Two projects: `unit` runs in-process against fakes; `integration` uses the real Redis (and the other
 * services) the shared harness starts once per run (tools/src/harness/global-setup.ts).
 */
const { integrationProject, unitProject } = require('../jest.shared');

module.exports = {
  projects: [unitProject(__dirname), integrationProject(__dirname)],
  testTimeout: 60000,
};
