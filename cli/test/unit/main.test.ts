/**
 * Command dispatch of `chargewatch`. The production image has no @chargewatch/tools: `simulate` and
 * `demo` must then say so and exit 2, while a module missing inside tools stays a loud failure.
 */
import { SIMULATE_HELP } from '@chargewatch/tools';
import { loadTools, main, TOOLS_MISSING_EXIT } from '../../src/main';

function notFound(specifier: string): NodeJS.ErrnoException {
  // The shape Node's CommonJS loader throws for a package that is not installed.
  const err: NodeJS.ErrnoException = new Error(`Cannot find module '${specifier}'\nRequire stack:\n- /app/cli/dist/main.js`);
  err.code = 'MODULE_NOT_FOUND';
  return err;
}

describe('chargewatch', () => {
  let out: string;
  let err: string;
  beforeEach(() => {
    out = '';
    err = '';
    process.exitCode = undefined;
    jest.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
    jest.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    process.exitCode = undefined;
  });

  test('help lists the commands', async () => {
    await main(['help']);
    expect(out).toMatch(/^Usage: chargewatch <command>/);
    for (const c of ['collector', 'worker', 'simulate', 'demo']) expect(out).toContain(`  ${c} `);
    expect(process.exitCode).toBeUndefined();
  });

  test('an unknown command exits 2 with the usage', async () => {
    await main(['frobnicate']);
    expect(err).toContain('Unknown command "frobnicate"');
    expect(process.exitCode).toBe(2);
  });

  test('simulate --help runs the simulator from @chargewatch/tools when it is installed', async () => {
    await main(['simulate', '--help']);
    expect(out).toBe(SIMULATE_HELP);
    expect(process.exitCode).toBeUndefined();
  });

  test.each(['simulate', 'demo'])('%s without @chargewatch/tools explains and exits 2', async (command) => {
    await main([command, '--help'], () => Promise.reject(notFound('@chargewatch/tools')));
    expect(err).toContain(`"chargewatch ${command}" is a development command and needs @chargewatch/tools`);
    expect(out).toBe('');
    expect(process.exitCode).toBe(TOOLS_MISSING_EXIT);
  });

  test('a module missing inside tools is not mistaken for tools being absent', async () => {
    await expect(loadTools(() => Promise.reject(notFound('ocpp-rpc')))).rejects.toThrow("Cannot find module 'ocpp-rpc'");
    await expect(loadTools(() => Promise.reject(new TypeError('boom')))).rejects.toThrow('boom');
  });

  test('worker with a bad configuration says which setting and exits 2 without starting', async () => {
    const saved = process.env.WORKER_CONCURRENCY;
    process.env.WORKER_CONCURRENCY = 'lots';
    try {
      await main(['worker']);
    } finally {
      if (saved === undefined) delete process.env.WORKER_CONCURRENCY;
      else process.env.WORKER_CONCURRENCY = saved;
    }
    expect(err).toContain('Configuration error: WORKER_CONCURRENCY must be an integer');
    expect(process.exitCode).toBe(2);
  });
});
