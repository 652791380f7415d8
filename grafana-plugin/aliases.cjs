// Source modules the plugin imports from outside its own folder, by name, for every tool that
// resolves modules: webpack (webpack.config.ts), jest (jest.config.js), the standalone esbuild bundle
// (standalone/build.mjs). tsconfig.json repeats them under "paths" (JSON cannot require this file).
//
// `@chargewatch/model/status` is the connector status meaning shared with the collector, the
// dashboards and the rule tests: ../model/src/status.ts, compiled into the plugin's bundle.
// `@chargewatch/model/commands` is the command model the collector's command API serves (names,
// parameters, statuses and outcomes): ../model/src/commands.ts, type imports and a few constants only.
const path = require('node:path');

module.exports = {
  '@chargewatch/model/status': path.resolve(__dirname, '..', 'model', 'src', 'status.ts'),
  '@chargewatch/model/commands': path.resolve(__dirname, '..', 'model', 'src', 'commands.ts'),
};
