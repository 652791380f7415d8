/**
 * Upgrade requests a client controls byte for byte, against an in-process collector on real Redis and
 * InfluxDB: undecodable identities, ids outside the identity policy and malformed subprotocol headers
 * get HTTP 400 with a reason, are counted, and leave the process serving the next station. Before the
 * upgrade gate, `/ocpp/%C3%28` ended the process (an unhandled URIError inside ocpp-rpc).
 */
import { stationClient } from '../harness/station-client';
import { startTestCollector, type TestCollector } from '../harness/collector';
import { rawUpgrade } from '../harness/raw-http';
import { metric } from '../harness/metrics';

let collector: TestCollector;
let printable: TestCollector;

beforeAll(async () => {
  collector = await startTestCollector();
  printable = await startTestCollector({ OCPP_IDENTITY_POLICY: 'printable', OCPP_IDENTITY_MAX_LENGTH: '20' });
});
afterAll(async () => {
  await collector?.stop();
  await printable?.stop();
});

const upgrade = (c: TestCollector, target: string, protocol: string | undefined = 'ocpp1.6') => rawUpgrade('127.0.0.1', c.ocppPort, target, protocol);

async function stillServes(c: TestCollector, id: string) {
  const cp = stationClient(c.ocppUrl, id, 'ocpp1.6');
  await cp.connect();
  const boot = (await cp.call('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' })) as { status: string };
  await cp.close({ force: true });
  expect(boot.status).toBe('Accepted');
}

describe('the upgrade gate', () => {
  it.each(['/ocpp/%C3%28', '/ocpp/%', '/ocpp/%zz', '/ocpp/a%E0%80', '/ocpp/%ED%A0%80', '/ocpp/x/%C3%28'])('refuses the undecodable identity in %s with 400 and keeps serving', async (target) => {
    const before = await metric(collector, 'chargewatch_connections_rejected_total', { reason: 'bad_identity' });
    const answer = await upgrade(collector, target);
    expect(answer.status).toBe(400);
    expect(answer.head).toContain('percent-encoded');
    expect(await metric(collector, 'chargewatch_connections_rejected_total', { reason: 'bad_identity' })).toBe(before + 1);
    await stillServes(collector, 'GATE-OK-1');
  });

  it.each(['ocpp1.6,,', ',', ' , ', '', 'ocpp1.6, ocpp1.6', 'ocpp1.6;x'])('refuses the subprotocol header %p with 400, not 500', async (protocol) => {
    const answer = await upgrade(collector, '/ocpp/GATE-SP', protocol);
    expect(answer.status).toBe(400);
    expect(answer.head).toContain('Sec-WebSocket-Protocol');
    expect(await metric(collector, 'chargewatch_internal_errors_total')).toBe(0);
  });

  it('refuses absolute-form and asterisk request targets and non-websocket upgrades', async () => {
    expect((await upgrade(collector, `http://127.0.0.1:${collector.ocppPort}/ocpp/GATE-ABS`)).status).toBe(400);
    expect((await upgrade(collector, '*')).status).toBe(400);
  });

  it.each(['CP-1%20%20', 'CP-1%20', 'CP-1%09', 'CP-1%0A', 'CP-1%5C', 'CP%2F1', 'CP%20-1', 'a'.repeat(49), 'Lades%C3%A4ule'])(
    'refuses %s under the default policy (identifierString, 48 characters)',
    async (id) => {
      const answer = await upgrade(collector, `/ocpp/${id}`);
      expect(answer.status).toBe(400);
      expect(answer.head).toMatch(/identifierString|characters long/);
    },
  );

  it('accepts every identifierString character, and the id is stored exactly as sent', async () => {
    const id = 'aZ09*-_=:+|@.x';
    await stillServes(collector, id);
    const res = await collector.api(`/api/v1/stations/${encodeURIComponent(id)}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { id: string }).id).toBe(id);
  });

  it('the printable policy takes other 1.6 ids as they are, and keeps a trailing backslash a different station', async () => {
    await stillServes(printable, 'Ladesäule-7');
    await stillServes(printable, 'CP-9\\');
    await stillServes(printable, 'CP-9');
    for (const id of ['Ladesäule-7', 'CP-9\\', 'CP-9']) {
      const res = await printable.api(`/api/v1/stations/${encodeURIComponent(id)}`);
      expect(((await res.json()) as { id: string }).id).toBe(id);
    }
    expect((await upgrade(printable, '/ocpp/CP-9%20')).status).toBe(400);
    expect((await upgrade(printable, '/ocpp/CP%E2%80%AE9')).status).toBe(400); // right-to-left override
    expect((await upgrade(printable, `/ocpp/${'b'.repeat(21)}`)).status).toBe(400);
  });
});
