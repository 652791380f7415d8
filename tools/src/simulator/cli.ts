/** `chargewatch simulate`: runs a simulated fleet against a collector. */
import { parseArgs } from 'node:util';
import { parseDriverMix } from './drivers';
import { checkFirmwareFailureRates, type FirmwareFailureRates } from './firmware';
import { Fleet, formatSummary, type FleetOptions } from './fleet';

export const SIMULATE_HELP = `Usage: chargewatch simulate [options]

Runs a fleet of simulated OCPP charging stations (1.6J and 2.0.1) against a collector.
Every station is its own WebSocket client connecting to <url>/<stationId>.

Options:
  --count N                  number of stations (default 10)
  --ocpp201-share F          share of stations speaking OCPP 2.0.1, 0..1 (default 0.5)
  --connectors N             connectors (1.6) / EVSEs (2.0.1) per station (default 2)
  --meter-interval S         seconds between meter values (default 60)
  --heartbeat-interval S     override the heartbeat interval the collector returns
  --seed N                   random seed; the same seed gives the same fleet and decisions (default 1)
  --url URL                  collector base URL (default ws://127.0.0.1:9000/ocpp)
  --duration S               stop after S real seconds; 0 runs until SIGINT/SIGTERM (default 0)
  --speed F                  time-scale factor: 60 runs an hour of simulated time per minute (default 1)
  --prefix P                 station id prefix (default SIM-)
  --idle-mean S              mean idle time between sessions per connector, simulated s (default 1800)
  --fault-probability P      chance per connector per simulated hour of a fault (default 0.01)
  --disconnect-probability P chance per station per simulated hour of a network drop (default 0.02)
  --zero-energy-probability P share of sessions delivering no energy (default 0.05)
  --password PW              Basic-auth password sent by every station
  --firmware-failures LIST   chance per firmware update of each failure mode, mode=P pairs separated by
                             commas (default none). Modes: downloadFailed, installFailed,
                             invalidSignature, oldVersionAfterReboot, neverReturns, slowDownload.
                             E.g. installFailed=0.05,neverReturns=0.01; the same seed fails the same stations.
  --drivers MIX              drivers with tokens instead of plain id tags, kind=share pairs separated by
                             commas: valid, blocked, expired, unknown, pin (PIN drivers mistype 1–3
                             times first). E.g. valid=70,blocked=5,expired=5,unknown=10,pin=10; seeded.
                             The collector decides what a token gets (a token registry must know them)
  --cloned-cards N           with --drivers: N cloned cards, each used every simulated hour at two
                             stations at once (the k-th from the start and from the end of the fleet:
                             give them different sites) (default 0)
  --summary-interval S       seconds between summary lines, 0 = none (default 10)
  --quiet                    no summary lines
  -h, --help                 show this help

Firmware updates: the version a station installs comes from the location it is given — a "version"
query parameter (https://fw.example.com/img.bin?version=3.6.2), else a version in the path, last
segment first (…/vw22-3.6.2.bin, …/releases/3.6.2/image.bin), else the model's next release — and
the station reports it in its next BootNotification. A location containing "fail" fails to download.
`;

function num(v: string | undefined, name: string, def: number, min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${name}: expected a number in [${min}, ${max}], got "${v}"`);
  return n;
}

/** `installFailed=0.05,neverReturns=0.01` → rates, checked. */
export function parseFirmwareFailures(text: string): FirmwareFailureRates {
  const rates: Record<string, number> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([A-Za-z]+)=([^=]+)$/.exec(part);
    const p = m ? Number(m[2]) : Number.NaN;
    if (!m || !Number.isFinite(p)) throw new Error(`--firmware-failures: expected mode=probability, got "${part}"`);
    rates[m[1]] = p;
  }
  try {
    return checkFirmwareFailureRates(rates);
  } catch (err) {
    throw new Error(`--firmware-failures: ${(err as Error).message}`);
  }
}

export function parseSimulateArgs(argv: string[]): { help: boolean; fleet: FleetOptions; durationSec: number; summarySec: number } {
  const { values } = parseArgs({
    args: argv,
    allowPositionals: false,
    strict: true,
    options: {
      count: { type: 'string' },
      'ocpp201-share': { type: 'string' },
      connectors: { type: 'string' },
      'meter-interval': { type: 'string' },
      'heartbeat-interval': { type: 'string' },
      seed: { type: 'string' },
      url: { type: 'string' },
      duration: { type: 'string' },
      speed: { type: 'string' },
      prefix: { type: 'string' },
      'idle-mean': { type: 'string' },
      'fault-probability': { type: 'string' },
      'disconnect-probability': { type: 'string' },
      'zero-energy-probability': { type: 'string' },
      password: { type: 'string' },
      'firmware-failures': { type: 'string' },
      drivers: { type: 'string' },
      'cloned-cards': { type: 'string' },
      'summary-interval': { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const hb = values['heartbeat-interval'];
  const fleet: FleetOptions = {
    count: Math.floor(num(values.count, 'count', 10, 1, 100_000)),
    ocpp201Share: num(values['ocpp201-share'], 'ocpp201-share', 0.5, 0, 1),
    connectors: Math.floor(num(values.connectors, 'connectors', 2, 1, 32)),
    meterIntervalSec: num(values['meter-interval'], 'meter-interval', 60, 1),
    heartbeatIntervalSec: hb === undefined ? undefined : num(hb, 'heartbeat-interval', 300, 1),
    seed: Math.floor(num(values.seed, 'seed', 1)),
    url: values.url ?? 'ws://127.0.0.1:9000/ocpp',
    speed: num(values.speed, 'speed', 1, 0.001),
    prefix: values.prefix ?? 'SIM-',
    idleMeanSec: num(values['idle-mean'], 'idle-mean', 1800, 1),
    faultProbability: num(values['fault-probability'], 'fault-probability', 0.01, 0, 1),
    disconnectProbability: num(values['disconnect-probability'], 'disconnect-probability', 0.02, 0, 1),
    zeroEnergyProbability: num(values['zero-energy-probability'], 'zero-energy-probability', 0.05, 0, 1),
    password: values.password,
  };
  if (values['firmware-failures'] !== undefined) fleet.firmwareFailures = parseFirmwareFailures(values['firmware-failures']);
  if (values['cloned-cards'] !== undefined && values.drivers === undefined) throw new Error('--cloned-cards needs --drivers');
  if (values.drivers !== undefined) {
    let mix;
    try {
      mix = parseDriverMix(values.drivers);
    } catch (err) {
      throw new Error(`--drivers: ${(err as Error).message}`);
    }
    fleet.drivers = { mix, clonedCards: Math.floor(num(values['cloned-cards'], 'cloned-cards', 0, 0, 1000)) };
  }
  if (!/^wss?:\/\//.test(fleet.url!)) throw new Error(`--url: expected ws:// or wss://, got "${fleet.url}"`);
  return {
    help: !!values.help,
    fleet,
    durationSec: num(values.duration, 'duration', 0, 0),
    summarySec: values.quiet ? 0 : num(values['summary-interval'], 'summary-interval', 10, 0),
  };
}

export async function simulateCommand(argv: string[]): Promise<void> {
  const args = parseSimulateArgs(argv);
  if (args.help) {
    process.stdout.write(SIMULATE_HELP);
    return;
  }
  const fleet = new Fleet(args.fleet);
  const st0 = fleet.stats();
  console.log(
    `simulate: ${st0.stations} stations (1.6: ${st0.byVersion['ocpp1.6']}, 2.0.1: ${st0.byVersion['ocpp2.0.1']}) ` +
      `-> ${args.fleet.url} seed ${args.fleet.seed} speed x${args.fleet.speed}`,
  );
  let errorsShown = 0;
  fleet.on('station-error', (id: string, msg: string) => {
    if (errorsShown++ < 20) console.error(`simulate: ${id}: ${msg}`);
  });

  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const onSignal = (sig: NodeJS.Signals) => {
    console.log(`simulate: ${sig}, stopping`);
    finish();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const timers: NodeJS.Timeout[] = [];
  if (args.durationSec > 0) timers.push(setTimeout(finish, args.durationSec * 1000));
  if (args.summarySec > 0) {
    timers.push(setInterval(() => console.log(`simulate: ${formatSummary(fleet.stats())}`), args.summarySec * 1000));
  }
  try {
    await Promise.race([fleet.start(), done]);
    await done;
  } finally {
    timers.forEach((t) => clearTimeout(t));
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await fleet.stop();
    console.log(`simulate: stopped. ${formatSummary(fleet.stats())}`);
  }
}
