// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';

const base = require('./.config/jest.config');
const aliases = require('./aliases.cjs');

module.exports = {
  // Jest configuration provided by Grafana scaffolding
  ...base,
  transform: {
    ...base.transform,
    // d3-color and friends ship .mjs files that need transpiling too
    '^.+\\.mjs$': ['@swc/jest'],
  },
  moduleNameMapper: {
    ...base.moduleNameMapper,
    // modules shared with the rest of the repository (aliases.cjs)
    ...Object.fromEntries(Object.entries(aliases).map(([name, file]) => [`^${name}$`, file])),
  },
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/tests/browser/', '<rootDir>/standalone/'],
};
