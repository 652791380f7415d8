/**
 * Import rules of the repository (docs/architecture.md), checked by `npm run depcruise` and by the
 * `config` jest project (test/repo/import-rules.test.ts). Paths are relative to the repository root;
 * `@chargewatch/<pkg>` resolves to <pkg>/src/index.ts through tsconfig.dev.json's paths, so the rules
 * see the real source files and need no build. Type-only imports count: a type couples code as much.
 */
const PKG = '(model|platform|collector|worker|tools|cli)';

module.exports = {
  forbidden: [
    {
      name: 'model-is-pure',
      comment: 'model imports nothing of ours and no library or Node built-in: it is the shared vocabulary, no I/O.',
      severity: 'error',
      from: { path: '^model/src/' },
      to: {
        pathNot: '^model/src/',
      },
    },
    {
      name: 'adapters-import-only-model',
      comment: 'OCPP adapters are pure translators: besides their own folder only the model and npm packages.',
      severity: 'error',
      from: { path: '^collector/src/ocpp/adapters/' },
      to: { path: `^${PKG}/`, pathNot: '^(collector/src/ocpp/adapters/|model/src/)' },
    },
    {
      name: 'no-adapters-outside-ocpp',
      comment: 'API, access control and platform (state) code never know the OCPP version: no adapter imports.',
      severity: 'error',
      from: { path: '^(collector/src/(api|access)/|platform/src/)' },
      to: { path: '^collector/src/ocpp/adapters/' },
    },
    {
      name: 'platform-imports-only-model',
      comment: 'platform is the runtime shared by the processes; of ours it may import only the model.',
      severity: 'error',
      from: { path: '^platform/src/' },
      to: { path: '^(collector|worker|tools|cli)/' },
    },
    {
      name: 'worker-imports-model-and-platform',
      comment: 'the worker runs jobs on the shared state through platform; it never reaches into the collector (another process) or tools (dev only).',
      severity: 'error',
      from: { path: '^worker/src/' },
      to: { path: '^(collector|tools|cli)/' },
    },
    {
      name: 'no-product-code-imports-tools',
      comment: 'tools are dev only and absent from the production image; only tests may import them.',
      severity: 'error',
      from: { path: '^(model|platform|collector|worker)/src/' },
      to: { path: '^tools/' },
    },
    {
      name: 'cli-loads-tools-only-on-demand',
      comment:
        'the CLI may reach tools only through a dynamic import (its simulate/demo commands), so a missing ' +
        'tools package is a message, not a crash at start.',
      severity: 'error',
      from: { path: '^cli/src/' },
      to: { path: '^tools/', dynamic: false, dependencyTypesNot: ['type-only', 'type-import'] },
    },
    {
      name: 'packages-meet-at-their-index',
      comment: 'packages import each other only through @chargewatch/<pkg> (its src/index.ts), never deep paths.',
      severity: 'error',
      from: { path: `^${PKG}/` },
      to: { path: `^${PKG}/`, pathNot: [`^$1/`, `^${PKG}/src/index\\.ts$`] },
    },
    {
      name: 'no-circular',
      comment: 'no import cycles, within or between packages.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.dev.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
