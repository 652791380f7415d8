/** `unit`: the simulator against an in-process fake CSMS. */
const { unitProject } = require('../jest.shared');

module.exports = {
  projects: [unitProject(__dirname)],
  testTimeout: 60000,
};
