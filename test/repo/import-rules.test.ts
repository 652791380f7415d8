/**
 * The import rules in .dependency-cruiser.cjs (docs/architecture.md): the repository must satisfy
 * them, and each rule must really catch what it forbids — checked on a throw-away tree seeded with one
 * violation per rule, so a rule that silently stopped matching fails here.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const REPO = resolve(__dirname, '../..');
const CONFIG = join(REPO, '.dependency-cruiser.cjs');
const DEPCRUISE = join(REPO, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
/** What `npm run depcruise` cruises: every package's code and tests, and the repository's tests. */
const SCOPE = ['model', 'platform', 'collector', 'worker', 'tools', 'cli', 'alerting/test', 'test'];

interface Violation {
  from: string;
  to: string;
  rule: { name: string; severity: string };
}

/** depcruise sets its exit status only with the text reporters, so `err` gives the verdict, `json` the details. */
function depcruise(cwd: string, outputType: 'err' | 'json', scope: string[]) {
  const res = spawnSync(process.execPath, [DEPCRUISE, '--config', CONFIG, '--output-type', outputType, ...scope], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  if (res.error) throw res.error;
  return res;
}

function violations(cwd: string, scope: string[]) {
  const summary = (JSON.parse(depcruise(cwd, 'json', scope).stdout) as { summary: { violations: Violation[]; totalCruised: number } }).summary;
  return { found: summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort(), summary };
}

describe('import rules (dependency-cruiser)', () => {
  test('the repository follows them', () => {
    const verdict = depcruise(REPO, 'err', SCOPE);
    expect({ status: verdict.status, output: verdict.stdout + verdict.stderr }).toEqual({ status: 0, output: expect.stringContaining('no dependency violations found') });
    const { found, summary } = violations(REPO, SCOPE);
    expect(found).toEqual([]);
    // Guards against a scope that silently matches nothing.
    expect(summary.totalCruised).toBeGreaterThan(100);
  });

  test('each rule catches its violation', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cw-depcruise-'));
    const files: Record<string, string> = {
      'tsconfig.dev.json': JSON.stringify({ compilerOptions: { paths: { '@chargewatch/*': ['./*/src/index.ts'] } } }),
      'model/src/index.ts': "export * from './io';\nexport { store } from '../../platform/src/index';\n",
      'model/src/io.ts': "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n",
      'platform/src/index.ts': "import { startCollector } from '@chargewatch/collector';\nexport const store = startCollector;\n",
      'collector/src/index.ts': "import { freePort } from '@chargewatch/tools';\nexport { freePort };\nexport const startCollector = 1;\n",
      'collector/src/ocpp/adapters/v9.ts': "import { store } from '@chargewatch/platform';\nimport type { read } from '@chargewatch/model';\nexport const v9 = store;\nexport type R = typeof read;\n",
      'collector/src/api/routes.ts': "import { v9 } from '../ocpp/adapters/v9';\nexport const routes = v9;\n",
      'collector/src/a.ts': "import { b } from './b';\nexport const a = () => b;\n",
      'collector/src/b.ts': "import { a } from './a';\nexport const b = () => a;\n",
      'collector/src/config.ts': "export const config = {};\n",
      'worker/src/index.ts': "import { config } from '@chargewatch/collector';\nimport { freePort } from '@chargewatch/tools';\nexport const w = [config, freePort];\n",
      'tools/src/index.ts': "import { config } from '../../collector/src/config';\nexport const freePort = config;\n",
      'cli/src/index.ts': "import { freePort } from '@chargewatch/tools';\nexport const x = freePort;\nexport * from './lazy';\n",
      // Allowed: the CLI's on-demand load of tools, and a type-only look at its shape.
      'cli/src/lazy.ts': "type Tools = typeof import('@chargewatch/tools');\nexport const load = (): Promise<Tools> => import('@chargewatch/tools');\n",
    };
    try {
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), text);
      }
      const scope = ['model', 'platform', 'collector', 'worker', 'tools', 'cli'];
      const { found, summary } = violations(dir, scope);
      expect(found).toEqual(
        [
          'adapters-import-only-model: collector/src/ocpp/adapters/v9.ts → platform/src/index.ts',
          'cli-loads-tools-only-on-demand: cli/src/index.ts → tools/src/index.ts',
          'model-is-pure: model/src/index.ts → platform/src/index.ts',
          'model-is-pure: model/src/io.ts → fs',
          'no-adapters-outside-ocpp: collector/src/api/routes.ts → collector/src/ocpp/adapters/v9.ts',
          'no-circular: collector/src/a.ts → collector/src/b.ts',
          'no-product-code-imports-tools: collector/src/index.ts → tools/src/index.ts',
          'packages-meet-at-their-index: tools/src/index.ts → collector/src/config.ts',
          'platform-imports-only-model: platform/src/index.ts → collector/src/index.ts',
          'no-product-code-imports-tools: worker/src/index.ts → tools/src/index.ts',
          'worker-imports-model-and-platform: worker/src/index.ts → collector/src/index.ts',
          'worker-imports-model-and-platform: worker/src/index.ts → tools/src/index.ts',
        ].sort(),
      );
      expect(summary.violations.every((v) => v.rule.severity === 'error')).toBe(true);
      expect(depcruise(dir, 'err', scope).status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
