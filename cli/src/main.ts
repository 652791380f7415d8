/**
 * `chargewatch <command>`: one binary for every process of the stack, so a deployment ships one image.
 * The development commands come from @chargewatch/tools, which the production image does not contain:
 * they are loaded only when asked for, and their absence is reported rather than thrown. The collector
 * and the worker too are loaded only by their commands, so `help`, `simulate` and `demo` load neither.
 */
import type { CollectorConfig } from '@chargewatch/collector';
import type { WorkerConfig } from '@chargewatch/worker';

const USAGE = `Usage: chargewatch <command> [options]

Commands:
  collector   Run the OCPP collector and its internal API (configured by environment, see README)
  worker      Run the BullMQ worker: housekeeping queues and their schedules, /metrics (see README)
  simulate    Run a simulated fleet of charging stations against a collector (--help for flags)
  demo        Start the whole local pipeline: services, collector, simulated fleet (see README)
  help        Show this text

simulate and demo are development commands: they need @chargewatch/tools, which is installed in a
clone of the repository (npm install) but not in the production image.
`;

type Tools = typeof import('@chargewatch/tools');

/** Exit status when a development command is asked for where @chargewatch/tools is not installed. */
export const TOOLS_MISSING_EXIT = 2;

/** Loads @chargewatch/tools; undefined when the package itself is not installed (other errors propagate). */
export async function loadTools(importTools: () => Promise<Tools> = () => import('@chargewatch/tools')): Promise<Tools | undefined> {
  try {
    return await importTools();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    // Only the package being absent means "not installed"; a module missing *inside* tools is a bug.
    if (e?.code === 'MODULE_NOT_FOUND' && /['"]@chargewatch\/tools['"]/.test(e.message.split('\n')[0] ?? '')) return undefined;
    throw err;
  }
}

export async function main(argv: string[], importTools?: () => Promise<Tools>): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'collector':
      await runCollector();
      break;
    case 'worker':
      await runWorker();
      break;
    case 'simulate':
    case 'demo': {
      const tools = await loadTools(importTools);
      if (!tools) {
        process.stderr.write(
          `"chargewatch ${command}" is a development command and needs @chargewatch/tools, which is not installed here ` +
            `(the production image ships only the collector). Run it from a clone of the repository after npm install.\n`,
        );
        process.exitCode = TOOLS_MISSING_EXIT;
        return;
      }
      await (command === 'simulate' ? tools.simulateCommand(rest) : tools.demoCommand(rest));
      break;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      break;
    default:
      process.stderr.write(`Unknown command "${command}".\n\n${USAGE}`);
      process.exitCode = 2;
  }
}

/** What a long-running process started by the CLI offers: its logger and a graceful stop. */
interface RunningProcess {
  logger: { info(obj: object, msg: string): void; error(obj: object, msg: string): void };
  stop(): Promise<void>;
}

/**
 * Reads the configuration (a ConfigError is a message and exit code 2, not a stack trace), starts the
 * process, and stops it gracefully on the first SIGTERM or SIGINT: exit 0 when the stop succeeded.
 */
async function runProcess<C>(load: () => C, isConfigError: (err: unknown) => boolean, start: (config: C) => Promise<RunningProcess>): Promise<void> {
  let config: C;
  try {
    config = load();
  } catch (err) {
    if (!isConfigError(err)) throw err;
    process.stderr.write(`Configuration error: ${(err as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  const handle = await start(config);
  let signalled = false;
  const shutdown = (signal: string) => {
    if (signalled) return;
    signalled = true;
    handle.logger.info({ signal }, 'shutting down');
    handle
      .stop()
      .then(() => process.exit(0))
      .catch((err) => {
        handle.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

async function runCollector(): Promise<void> {
  const { ConfigError, loadConfig, startCollector, collectorProcessConfig, collectorProcessIndex, superviseCollectorProcesses } = await import('@chargewatch/collector');
  const index = collectorProcessIndex();
  if (index === undefined) {
    // COLLECTOR_PROCESSES > 1: this process only supervises; the workers it forks re-run this command.
    let config: CollectorConfig | undefined;
    try {
      config = loadConfig();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
    }
    if (config && config.processes > 1) {
      const say = (level: string) => (obj: object, msg: string) => process.stdout.write(`${JSON.stringify({ level, time: Date.now(), ...obj, msg })}\n`);
      await superviseCollectorProcesses(config, { info: say('info'), error: say('error') });
      return;
    }
  }
  await runProcess<CollectorConfig>(
    () => (index === undefined ? loadConfig() : collectorProcessConfig(loadConfig(), index)),
    (err) => err instanceof ConfigError,
    (config) => startCollector(config),
  );
}

async function runWorker(): Promise<void> {
  const { ConfigError, loadConfig, startWorker } = await import('@chargewatch/worker');
  await runProcess<WorkerConfig>(() => loadConfig(), (err) => err instanceof ConfigError, (config) => startWorker(config));
}
