/**
 * The fault suite (`npm run test:faults`, and a stage of `npm test`): one long test that starts its own
 * Redis, InfluxDB and collector processes, so it runs alone, outside the collector's projects.
 */
const { join } = require('node:path');
const { moduleNameMapper, transform } = require('../../../jest.shared');

module.exports = {
  displayName: 'faults',
  rootDir: join(__dirname, '..', '..'),
  testEnvironment: 'node',
  transform,
  moduleNameMapper: moduleNameMapper(),
  testMatch: ['<rootDir>/test/faults/**/*.test.ts'],
  globalSetup: '<rootDir>/test/faults/global-setup.ts',
  testTimeout: 360000,
  maxWorkers: 1,
};
