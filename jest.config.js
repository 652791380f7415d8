/**
 * Repository-level tests (the collector has its own config in collector/jest.config.js):
 * - `config`: alert rules, Alertmanager routing, dashboards, provisioning and docker-compose checks;
 * - `e2e`: tests that need the whole stack running (collector + simulator + services). scripts/test.mjs
 *   starts that stack and passes its URLs through E2E_* env vars before selecting this project.
 */
const transform = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }],
};
// model/: its unit tests run here until the model package gets its own jest project.
const roots = ['<rootDir>/alerting', '<rootDir>/dashboards', '<rootDir>/model', '<rootDir>/provisioning', '<rootDir>/test'];
module.exports = {
  projects: [
    {
      displayName: 'config',
      testEnvironment: 'node',
      transform,
      rootDir: __dirname,
      roots,
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '\\.e2e\\.test\\.ts$'],
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      transform,
      rootDir: __dirname,
      roots,
      testMatch: ['**/*.e2e.test.ts'],
    },
  ],
  testTimeout: 180000,
};
