/**
 * `chargewatch <command>`: one binary for every process of the stack, so a deployment ships one image.
 */
import { ConfigError, loadConfig } from '../config';

const USAGE = `Usage: chargewatch <command> [options]

Commands:
  collector   Run the OCPP collector and its internal API (configured by environment, see README)
  simulate    Run a simulated fleet of charging stations against a collector (--help for flags)
  demo        Start the whole local pipeline: services, collector, simulated fleet (see README)
  help        Show this text
`;

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'collector':
        await runCollector();
        break;
      case 'simulate': {
        const { simulateCommand } = await import('../simulator/cli');
        await simulateCommand(rest);
        break;
      }
      case 'demo': {
        const { demoCommand } = await import('../devstack/demo');
        await demoCommand(rest);
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
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw err;
  }
}

async function runCollector(): Promise<void> {
  const config = loadConfig();
  const { startCollector } = await import('../collector');
  const handle = await startCollector(config);
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
