/**
 * `unit`: InfluxDB line building and the sink against fakes; `integration`: the station store, the
 * InfluxDB writers and sink against real Redis and InfluxDB (the shared harness in tools).
 */
const { integrationProject, unitProject } = require('../jest.shared');

module.exports = {
  projects: [unitProject(__dirname), integrationProject(__dirname)],
  testTimeout: 60000,
};
