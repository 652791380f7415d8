// Source modules the plugin imports from outside its own folder, by name, for every tool that
// resolves modules: webpack (webpack.config.ts), jest (jest.config.js), the standalone esbuild bundle
// (standalone/build.mjs). tsconfig.json repeats them under "paths" (JSON cannot require this file).
//
// `@chargewatch/model/status` is the connector status meaning shared with the collector, the
// dashboards and the rule tests: ../model/src/status.ts, compiled into the plugin's bundle.
// `@chargewatch/model/commands` is the command model the collector's command API serves (names,
// parameters, statuses and outcomes): ../model/src/commands.ts, type imports and a few constants only.
// `@chargewatch/model/firmware` and `@chargewatch/model/firmware-campaign` are the firmware model the
// collector's firmware and campaign routes serve (version match, update states and failure reasons;
// cohorts, plans, waves, gates): ../model/src/firmware.ts and firmware-campaign.ts, pure code.
// `@chargewatch/model/firmware-campaign-step` adds the campaign statuses and deferral reasons.
// `@chargewatch/model/access` and `@chargewatch/model/misuse` are the access-control model the token and
// incident routes serve (token types and id rules, statuses; misuse rules, severities, incident
// statuses): ../model/src/access.ts and misuse.ts, pure code, so the Access page's forms check a token
// id exactly as the registry will; `@chargewatch/model/local-list-sync` the local-list states and outcomes.
const path = require('node:path');

module.exports = {
  '@chargewatch/model/status': path.resolve(__dirname, '..', 'model', 'src', 'status.ts'),
  '@chargewatch/model/commands': path.resolve(__dirname, '..', 'model', 'src', 'commands.ts'),
  '@chargewatch/model/firmware': path.resolve(__dirname, '..', 'model', 'src', 'firmware.ts'),
  '@chargewatch/model/firmware-campaign': path.resolve(__dirname, '..', 'model', 'src', 'firmware-campaign.ts'),
  '@chargewatch/model/firmware-campaign-step': path.resolve(__dirname, '..', 'model', 'src', 'firmware-campaign-step.ts'),
  '@chargewatch/model/access': path.resolve(__dirname, '..', 'model', 'src', 'access.ts'),
  '@chargewatch/model/misuse': path.resolve(__dirname, '..', 'model', 'src', 'misuse.ts'),
  '@chargewatch/model/local-list-sync': path.resolve(__dirname, '..', 'model', 'src', 'local-list-sync.ts'),
};
