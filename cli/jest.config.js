/** `unit`: command dispatch of the `chargewatch` binary, with and without @chargewatch/tools. */
const { unitProject } = require('../jest.shared');

module.exports = {
  projects: [unitProject(__dirname)],
  testTimeout: 60000,
};
