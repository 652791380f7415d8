/**
 * Repository-level tests (each package has its own config, e.g. collector/jest.config.js):
 * - `config`: alert rules, Alertmanager routing, dashboards, provisioning and docker-compose checks;
 * - `e2e`: tests that need the whole stack running (collector + simulator + services). scripts/test.mjs
 *   starts that stack and passes its URLs through E2E_* env vars before selecting this project.
 */
const { moduleNameMapper, transform } = require('./jest.shared');

const roots = ['<rootDir>/alerting', '<rootDir>/dashboards', '<rootDir>/provisioning', '<rootDir>/test'];
module.exports = {
  projects: [
    {
      displayName: 'config',
      testEnvironment: 'node',
      transform,
      moduleNameMapper: moduleNameMapper('<rootDir>'),
      rootDir: __dirname,
      roots,
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '\\.e2e\\.test\\.ts$'],
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      transform,
      moduleNameMapper: moduleNameMapper('<rootDir>'),
      rootDir: __dirname,
      roots,
      testMatch: ['**/*.e2e.test.ts'],
    },
  ],
  testTimeout: 180000,
};
