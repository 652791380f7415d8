/**
 * Seeded property-based fuzzing of everything a client controls, against a live collector process with
 * real Redis and InfluxDB: the identity and subprotocol of the upgrade request, the frames of a
 * connected station, the free-text strings of its payloads, and the internal API's paths. After each
 * class: the process is alive, a well-behaved station's calls succeed and read back exactly, a
 * protected station nobody connected as is unchanged in every store, and every acknowledged call is in
 * InfluxDB or in the dead-letter stream.
 *
 * CI uses a fixed seed, so a run is repeatable. HOSTILE_SEED=<n> (or `random`) and HOSTILE_RUNS=<factor>
 * explore further; HOSTILE_SHRINK=1 lets fast-check shrink a failure to its smallest form (slow: every
 * step talks to the collector). A failure prints the seed and the command that replays it.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { eventually, influxQuery } from '@chargewatch/tools';
import { decodeTagValue } from '@chargewatch/platform';
import { OCPP16_ERROR_CODES, OCPP201_ERROR_CODES } from '../../src/ocpp/adapters/error-codes';
import { stationClient } from '../harness/station-client';
import { startLiveCollector, type LiveCollector } from '../fuzz/live-collector';
import { RawSession, rawHttp, rawUpgrade } from '../fuzz/raw';
import { writeBlock } from '../fuzz/report';
import { ACTIONS_16, ACTIONS_201, IDENTIFIER_STRING, apiStationId, frame, hostileString, subprotocolHeader, unauthenticatedProbe, upgradeTarget } from '../fuzz/arbitraries';
import { VICTIM, createVictim, deadLetters, lineProtocolMentions, snapshotStation, wellBehavedStation } from '../fuzz/invariants';

const SEED = process.env.HOSTILE_SEED === 'random' ? Date.now() % 2 ** 31 : Number(process.env.HOSTILE_SEED ?? 20261202);
const FACTOR = Number(process.env.HOSTILE_RUNS ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * FACTOR));
const params = (numRuns: number): fc.Parameters<unknown> => ({ seed: SEED, numRuns: runs(numRuns), endOnFailure: process.env.HOSTILE_SHRINK !== '1', includeErrorInReport: true });

/** Figures of this run, printed at the end and written to docs/reliability.md's section. */
const figures: Record<string, { cases: number; ms: number; passed: boolean }> = {};

/** What each class sends, for the report. */
const CLASSES: Record<string, string> = {
  identities: 'raw upgrade requests: well-formed ids, encoded hostile ids, undecodable escapes, extra path segments, absolute-form targets, and odd subprotocol headers',
  'frames on ocpp1.6': 'text frames on a connected 1.6 station: calls with random ids (empty, unicode, lone surrogates, over 36 characters), actions and payloads, 20 to 8,000 levels of nesting, non-call frames, garbage',
  'frames on ocpp2.0.1': 'the same on a 2.0.1 station, checked against 2.0.1\'s error vocabulary',
  'payload strings': 'free text dense in backslashes, whitespace, newlines, quotes, separators, NUL, unicode and lone surrogates in seven fields that become InfluxDB tags or fields',
  'API paths': 'requests without the token on every route under encoding, case, slash, dot-segment and absolute-form rewrites and every method; authorised requests with hostile station ids',
};

let live: LiveCollector;
let victim: Record<string, unknown>;

beforeAll(async () => {
  live = await startLiveCollector();
  await createVictim(live);
  victim = await snapshotStation(live, VICTIM);
}, 90_000);

afterAll(async () => {
  console.log(`hostile-input suite, seed ${SEED}: ${Object.entries(figures).map(([k, v]) => `${k} ${v.cases} cases in ${v.ms} ms${v.passed ? '' : ' (FAILED)'}`).join('; ')}`);
  await live?.stop();
  const report = process.env.FAULT_REPORT ?? (process.env.CHARGEWATCH_WRITE_REPORTS === '1' ? join(__dirname, '../../../docs/reliability.md') : undefined);
  if (report && Object.keys(figures).length === Object.keys(CLASSES).length) writeBlock(report, renderFigures());
});

function renderFigures(): string {
  const rows = Object.entries(CLASSES).map(([name, what]) => {
    const f = figures[name];
    return `| ${name} | ${what} | ${f.cases.toLocaleString('en-US')} | ${(f.ms / 1000).toFixed(1)} s | ${f.passed ? 'passed' : '**failed**'} |`;
  });
  const total = Object.values(figures).reduce((n, f) => n + f.cases, 0);
  return [
    '## Hostile-input fuzzing',
    '',
    `Seeded property-based fuzzing (fast-check, seed ${SEED}) of a collector child process with real Redis and`,
    `InfluxDB, ${new Date().toISOString().slice(0, 10)}: ${total.toLocaleString('en-US')} cases. After each class the process must be alive,`,
    'a protected station nobody connected as must be unchanged in Redis and InfluxDB, and a well-behaved station',
    "must boot, report and read back its values exactly through the API and InfluxDB. Every acknowledged",
    'payload string must be in InfluxDB exactly or in the dead-letter stream.',
    '',
    '| class | sent | cases | time | result |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    'Replay or explore: `HOSTILE_SEED=<n|random> HOSTILE_RUNS=<factor> npx jest -c collector/jest.config.js',
    "--selectProjects integration --testPathPattern hostile-fuzz -t '<class>'` (`HOSTILE_SHRINK=1` shrinks a failure).",
  ].join('\n');
}

/** Runs one class (named as its test, so `-t <name>` replays it), then checks the invariants that must survive it; a failure names the seed. */
async function fuzzClass(name: string, body: () => Promise<number>): Promise<void> {
  const started = Date.now();
  let cases = 0;
  figures[name] = { cases: 0, ms: 0, passed: false };
  try {
    await live.assertAlive(); // an earlier class may have killed it: say so rather than ECONNREFUSED
    cases = await body();
  } catch (err) {
    figures[name].ms = Date.now() - started;
    throw new Error(`${(err as Error).message}\n\nreplay: HOSTILE_SEED=${SEED} npx jest -c collector/jest.config.js --selectProjects integration --testPathPattern hostile-fuzz -t '${name}'`);
  }
  figures[name] = { cases, ms: Date.now() - started, passed: false };
  await live.assertAlive();
  expect(await snapshotStation(live, VICTIM)).toEqual(victim);
  await wellBehavedStation(live, `GOOD-${name.replace(/[^A-Za-z0-9]+/g, '-')}`);
  figures[name].passed = true;
}

/** The identity a collector may accept from this request target: the one /ocpp/<id> segment, decoded. */
function acceptableIdentity(target: string): string | undefined {
  const path = target.replace(/^http:\/\/127\.0\.0\.1/, '').split('?')[0];
  const m = /^\/ocpp\/([^/]+)$/.exec(path);
  if (!m) return undefined;
  try {
    const id = decodeURIComponent(m[1]);
    return IDENTIFIER_STRING.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

it('identities: every upgrade gets 101 or a 4xx, and only ids of the identity policy get in', async () => {
  await fuzzClass('identities', async () => {
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(upgradeTarget, subprotocolHeader, async (target, protocol) => {
        cases++;
        const answer = await rawUpgrade(live.ocppHost, live.ocppPort, target, protocol);
        if (answer.status === 101) {
          expect({ target, accepted: acceptableIdentity(target) !== undefined }).toEqual({ target, accepted: true });
        } else {
          expect({ target, protocol, status: answer.status, head: answer.head }).toEqual(expect.objectContaining({ status: expect.toBeWithin4xx() }));
        }
      }),
      params(400),
    );
    // Nothing cleaned, trimmed or decoded twice reached the registry.
    for (const id of await live.redis.smembers(live.keys.stations())) expect(id).toMatch(IDENTIFIER_STRING);
    return cases;
  });
}, 120_000);

describe.each([
  ['ocpp1.6', ACTIONS_16, OCPP16_ERROR_CODES as readonly string[], 'FormationViolation'],
  ['ocpp2.0.1', ACTIONS_201, OCPP201_ERROR_CODES as readonly string[], 'FormatViolation'],
])('frames on %s', (protocol, actions, vocabulary, formatCode) => {
  it('every call is answered once with its own id, in its version\'s error vocabulary, and the connection stays', async () => {
    await fuzzClass(`frames on ${protocol}`, async () => {
      let cases = 0;
      const session = await RawSession.open(`${live.ocppUrl}/FUZZ-${protocol === 'ocpp1.6' ? '16' : '201'}`, protocol);
      try {
        await fc.assert(
          fc.asyncProperty(frame(actions), async (f) => {
            cases++;
            const { frames, closed } = await session.exchange(f.text);
            expect({ frame: f.text.slice(0, 200), closed }).toEqual({ frame: f.text.slice(0, 200), closed: undefined });
            const answers = frames.map((t) => JSON.parse(t) as unknown[]).filter((m) => m[0] === 3 || m[0] === 4);
            for (const a of answers) {
              if (a[0] === 4) expect({ frame: f.text.slice(0, 200), code: a[2] }).toEqual({ frame: f.text.slice(0, 200), code: expect.toBeOneOf(vocabulary.filter((c) => c !== 'InternalError')) });
            }
            if (f.callId === undefined) return;
            const mine = answers.filter((a) => a[1] === f.callId);
            if (f.callId.length >= 1 && f.callId.length <= 36) {
              expect({ frame: f.text.slice(0, 200), answers: mine.length }).toEqual({ frame: f.text.slice(0, 200), answers: 1 });
              if (f.callId.startsWith('deep-') && Number(f.callId.slice(5)) >= 100) expect(mine[0].slice(0, 3)).toEqual([4, f.callId, formatCode]);
            } else {
              // OCPP-J limits message ids to 36 characters: such a call is refused, never acknowledged.
              expect(mine.filter((a) => a[0] === 3)).toEqual([]);
            }
          }),
          params(300),
        );
      } finally {
        session.close();
      }
      return cases;
    });
  }, 120_000);
});

/** Where one free-text payload string lands in InfluxDB. */
interface Placement {
  action: 'BootNotification' | 'StatusNotification' | 'DataTransfer';
  field: string;
  maxLength: number;
  measurement: string;
  column: string;
  /** Tags cannot be empty in InfluxDB: an empty value is an absent tag, read back as null. */
  tag?: true;
}

const PLACEMENTS: Placement[] = [
  { action: 'BootNotification', field: 'firmwareVersion', maxLength: 50, measurement: 'boot', column: 'firmware_version' },
  { action: 'BootNotification', field: 'chargePointSerialNumber', maxLength: 25, measurement: 'boot', column: 'serial_number' },
  { action: 'BootNotification', field: 'chargePointVendor', maxLength: 20, measurement: 'boot', column: 'vendor', tag: true },
  { action: 'StatusNotification', field: 'info', maxLength: 50, measurement: 'connector_status', column: 'info' },
  { action: 'StatusNotification', field: 'vendorErrorCode', maxLength: 50, measurement: 'connector_status', column: 'vendor_error_code' },
  { action: 'DataTransfer', field: 'messageId', maxLength: 50, measurement: 'data_transfer', column: 'message_id' },
  { action: 'DataTransfer', field: 'vendorId', maxLength: 255, measurement: 'data_transfer', column: 'vendor_id', tag: true },
];

function payloadFor(p: Placement, s: string): Record<string, unknown> {
  if (p.action === 'BootNotification') return { chargePointVendor: 'V', chargePointModel: 'M', [p.field]: s };
  if (p.action === 'StatusNotification') return { connectorId: 1, status: 'Faulted', errorCode: 'OtherError', [p.field]: s };
  return { vendorId: 'v', [p.field]: s };
}

it('payload strings: an acknowledged string is in InfluxDB exactly or in the dead-letter stream', async () => {
  await fuzzClass('payload strings', async () => {
    const acknowledged: Array<{ id: string; placement: Placement; value: string }> = [];
    let n = 0;
    const placement = fc.constantFrom(...PLACEMENTS).chain((p) => fc.tuple(fc.constant(p), hostileString(p.maxLength)));
    await fc.assert(
      fc.asyncProperty(placement, async ([p, value]) => {
        const id = `PAY-${n++}`;
        const cp = stationClient(live.ocppUrl, id, 'ocpp1.6', { strictMode: false });
        await cp.connect();
        try {
          if (p.action !== 'BootNotification') await cp.call('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' });
          await cp.call(p.action, payloadFor(p, value)).then(
            () => acknowledged.push({ id, placement: p, value }),
            (err: { rpcErrorCode?: string }) => expect({ value, code: err.rpcErrorCode }).toEqual({ value, code: expect.toBeOneOf(['PropertyConstraintViolation', 'TypeConstraintViolation', 'FormationViolation']) }),
          );
        } finally {
          await cp.close({ force: true }).catch(() => undefined);
        }
      }),
      params(150),
    );
    await eventually(async () => {
      const letters = await deadLetters(live);
      for (const a of acknowledged) {
        if (letters.some((l) => lineProtocolMentions(l, a.id))) continue;
        const rows = await influxQuery(live.influxUrl, live.database, `SELECT * FROM ${a.placement.measurement} WHERE station_id = '${a.id}'`);
        // Tag values are stored in their lossless encoding (docs/data-model.md, Tag values).
        const stored = rows.map((r) => (a.placement.tag && typeof r[a.placement.column] === 'string' ? decodeTagValue(r[a.placement.column] as string) : r[a.placement.column]));
        const expected = a.placement.tag && a.value === '' ? null : a.value;
        expect({ id: a.id, sent: a.value, stored }).toEqual({ id: a.id, sent: a.value, stored: expect.arrayContaining([expected]) });
      }
    }, 30_000);
    return n;
  });
}, 180_000);

it('API paths: no request without the token reaches a route, and hostile ids get a 4xx', async () => {
  await fuzzClass('API paths', async () => {
    let cases = 0;
    const port = Number(new URL(live.apiUrl).port);
    await fc.assert(
      fc.asyncProperty(unauthenticatedProbe, async ({ method, target }) => {
        cases++;
        const { status, head } = await rawHttp('127.0.0.1', port, method, target);
        expect({ method, target, status, head }).toEqual(expect.objectContaining({ status: expect.toBeWithin4xx() }));
      }),
      params(400),
    );
    await fc.assert(
      fc.asyncProperty(apiStationId, fc.constantFrom('', '/history', '/security', '/metadata', '/commands'), async (id, sub) => {
        cases++;
        const { status, head } = await rawHttp('127.0.0.1', port, 'GET', `/api/v1/stations/${id}${sub}`, { authorization: 'Bearer fuzz-token' });
        expect({ id, sub, status, head }).toEqual(expect.objectContaining({ status: expect.toBeBelow500() }));
      }),
      params(200),
    );
    return cases;
  });
}, 120_000);

expect.extend({
  toBeWithin4xx(received: number) {
    const pass = received >= 400 && received < 500;
    return { pass, message: () => `expected a 4xx answer, got ${received || 'no HTTP answer'}` };
  },
  toBeBelow500(received: number) {
    const pass = received >= 100 && received < 500;
    return { pass, message: () => `expected an answer below 500, got ${received || 'no HTTP answer'}` };
  },
  toBeOneOf(received: unknown, expected: readonly unknown[]) {
    const pass = expected.includes(received);
    return { pass, message: () => `expected one of ${expected.join(', ')}, got ${String(received)}` };
  },
});

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Expect {
      toBeWithin4xx(): unknown;
      toBeBelow500(): unknown;
      toBeOneOf(expected: readonly unknown[]): unknown;
    }
  }
}
