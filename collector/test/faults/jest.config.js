/**
 * The fault suite (`npm run test:faults`, and a stage of `npm test`): one long test that starts its own
 * Redis, InfluxDB and collector processes, so it runs alone, outside the collector's projects.
 */
const { join } = require('node:path');

module.exports = {
  displayName: 'faults',
  rootDir: join(__dirname, '..', '..'),
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }],
  },
  testMatch: ['<rootDir>/test/faults/**/*.test.ts'],
  globalSetup: '<rootDir>/test/faults/global-setup.ts',
  testTimeout: 360000,
  maxWorkers: 1,
};
