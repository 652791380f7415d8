/**
 * Pieces shared by the packages' jest configs (model, platform, collector, worker, tools, cli) and the
 * repository-level config. Tests import other packages as `@chargewatch/<pkg>`; jest maps that to the
 * package's src/index.ts, so no test needs a build. Integration projects share one harness (in tools)
 * that starts real Redis, InfluxDB and Prometheus once per run and hands their URLs over through env.
 */
const transform = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }],
};

/** `packagesDir` is where the package folders live, relative to the project's rootDir. */
function moduleNameMapper(packagesDir = '<rootDir>/..') {
  return { '^@chargewatch/(model|platform|collector|worker|tools|cli)$': `${packagesDir}/$1/src/index.ts` };
}

function unitProject(rootDir) {
  return {
    displayName: 'unit',
    testEnvironment: 'node',
    transform,
    moduleNameMapper: moduleNameMapper(),
    rootDir,
    testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
  };
}

function integrationProject(rootDir) {
  return {
    displayName: 'integration',
    testEnvironment: 'node',
    transform,
    moduleNameMapper: moduleNameMapper(),
    rootDir,
    testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
    // Jest loads global setup without moduleNameMapper, hence the path into tools' sources.
    globalSetup: '<rootDir>/../tools/src/harness/global-setup.ts',
    globalTeardown: '<rootDir>/../tools/src/harness/global-teardown.ts',
  };
}

module.exports = { transform, moduleNameMapper, unitProject, integrationProject };
