/**
 * Station authentication with real TLS on loopback: OCPP security profile 1 (HTTP Basic), 2 (TLS +
 * HTTP Basic) and 3 (TLS client certificate for the station identity), set per station through the
 * API. Certificates are made by the test with the openssl CLI: a CA, a server certificate for
 * 127.0.0.1, client certificates for two identities, and one from a CA the collector does not trust.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { RPCClient } from 'ocpp-rpc';
import { stationClient } from '../harness/station-client';
import { startTestCollector, type TestCollector } from '../harness/collector';
import { eventually, influxQuery } from '@chargewatch/tools';
import { metric } from '../harness/metrics';

interface Pki {
  dir: string;
  ca: Buffer;
  serverCert: string;
  serverKey: string;
  caFile: string;
  client(name: string): { cert: Buffer; key: Buffer };
  fingerprint(name: string): string;
}

/** CA, server certificate for 127.0.0.1/localhost, client certificates with the given CNs. */
function makePki(clients: Array<{ name: string; cn: string; ca?: 'trusted' | 'rogue' }>): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'cw-auth-pki-'));
  const ssl = (...args: string[]) => execFileSync('/usr/bin/openssl', args, { cwd: dir, stdio: 'pipe' });
  const newKey = (name: string) => ssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`);
  const selfSignedCa = (name: string, cn: string) => {
    newKey(name);
    ssl('req', '-x509', '-new', '-key', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${cn}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  };
  const issue = (name: string, cn: string, ca: string, ext: string) => {
    newKey(name);
    ssl('req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    writeFileSync(join(dir, `${name}.ext`), ext);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`);
  };
  selfSignedCa('ca', 'ChargeWatch Test CA');
  selfSignedCa('rogue', 'Rogue CA');
  issue('server', 'localhost', 'ca', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  for (const c of clients) issue(c.name, c.cn, c.ca === 'rogue' ? 'rogue' : 'ca', 'extendedKeyUsage=clientAuth\n');
  return {
    dir,
    ca: readFileSync(join(dir, 'ca.pem')),
    serverCert: join(dir, 'server.pem'),
    serverKey: join(dir, 'server.key'),
    caFile: join(dir, 'ca.pem'),
    client: (name) => ({ cert: readFileSync(join(dir, `${name}.pem`)), key: readFileSync(join(dir, `${name}.key`)) }),
    fingerprint: (name) => /=(.+)$/.exec(ssl('x509', '-in', `${name}.pem`, '-noout', '-fingerprint', '-sha256').toString().trim())![1]!,
  };
}

/** Opens a raw websocket and reports the upgrade outcome: 101, or the refusal's status and body. */
function handshake(url: string, opts: WebSocket.ClientOptions & { password?: string; user?: string } = {}): Promise<{ status: number; body: string; ws?: WebSocket }> {
  const { password, user, ...wsOpts } = opts;
  const identity = decodeURIComponent(url.split('/').pop()!);
  const headers = password !== undefined ? { authorization: `Basic ${Buffer.from(`${user ?? identity}:${password}`).toString('base64')}` } : undefined;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ['ocpp1.6'], { ...wsOpts, headers });
    ws.once('open', () => resolve({ status: 101, body: '', ws }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', reject);
  });
}

const PW1 = 'profile-one-password-01';
const PW2 = 'profile-two-password-02';

describe('station authentication (OCPP security profiles 1–3)', () => {
  let pki: Pki;
  let tls: TestCollector;
  /** Plain ws collector sharing tls's Redis prefix: the same stations, reached without TLS. */
  let plain: TestCollector;
  const clients: RPCClient[] = [];
  const sockets: WebSocket[] = [];

  const put = (c: TestCollector, id: string, body: unknown) =>
    c.api(`/api/v1/stations/${encodeURIComponent(id)}/security`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    pki = makePki([
      { name: 'cp3', cn: 'CP-3' },
      { name: 'other', cn: 'CP-OTHER' },
      { name: 'rogue-cp3', cn: 'CP-3', ca: 'rogue' },
      { name: 'pinned', cn: 'serial-0042' },
    ]);
    tls = await startTestCollector({
      OCPP_TLS_CERT: pki.serverCert,
      OCPP_TLS_KEY: pki.serverKey,
      OCPP_TLS_CA: pki.caFile,
      OCPP_HANDSHAKE_TIMEOUT_MS: '1000',
    });
    plain = await startTestCollector({ REDIS_PREFIX: tls.config.redis.prefix, INFLUX_DATABASE: tls.database });
    expect(tls.ocppUrl).toMatch(/^wss:/);
    for (const [id, body] of [
      ['CP-1', { profile: 1, password: PW1 }],
      ['CP-2', { profile: 2, password: PW2 }],
      ['CP-3', { profile: 3 }],
      ['CP-PIN', { profile: 3, certFingerprint: pki.fingerprint('pinned') }],
    ] as const) {
      expect((await put(tls, id, body)).status).toBe(200);
    }
  });

  afterAll(async () => {
    for (const c of clients) await c.close({ force: true }).catch(() => undefined);
    for (const s of sockets) s.terminate();
    await plain?.stop();
    await tls?.stop();
    if (pki) rmSync(pki.dir, { recursive: true, force: true });
  });

  const client = (c: TestCollector, id: string, extra: Parameters<typeof stationClient>[3] = {}) => {
    const cl = stationClient(c.ocppUrl, id, 'ocpp1.6', { ...extra, wsOpts: { ca: pki.ca, ...(extra.wsOpts ?? {}) } });
    clients.push(cl);
    return cl;
  };
  const keep = (r: { status: number; body: string; ws?: WebSocket }) => {
    if (r.ws) sockets.push(r.ws);
    return r;
  };

  describe('profile 1 (HTTP Basic)', () => {
    it('connects with the right password, over ws and wss', async () => {
      const cp = client(plain, 'CP-1', { password: PW1 });
      await cp.connect();
      await expect(cp.call('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' })).resolves.toMatchObject({ status: 'Accepted' });
      await cp.close();
      const secure = client(tls, 'CP-1', { password: PW1 });
      await secure.connect();
      await expect(secure.call('Heartbeat', {})).resolves.toHaveProperty('currentTime');
      await secure.close();
    });

    it('refuses a wrong password with 401, counts it and records a security event in InfluxDB', async () => {
      const before = await metric(plain, 'chargewatch_auth_failures_total', { reason: 'bad_password' });
      const r = await handshake(`${plain.ocppUrl}/CP-1`, { password: 'not-the-password-1' });
      expect(r).toMatchObject({ status: 401, body: 'invalid credentials' });
      expect(await metric(plain, 'chargewatch_auth_failures_total', { reason: 'bad_password' })).toBe(before + 1);
      expect(await metric(plain, 'chargewatch_connections_rejected_total', { reason: 'auth' })).toBeGreaterThanOrEqual(1);
      const rows = await eventually(async () => {
        const found = await influxQuery(tls.config.influx.url, tls.database, `SELECT * FROM security_event WHERE station_id = 'CP-1'`);
        expect(found.length).toBeGreaterThanOrEqual(1);
        return found;
      });
      expect(rows[0]).toMatchObject({ event_type: 'InvalidBasicAuth', source: 'collector', tech_info: expect.stringContaining('reason=bad_password') });
    });

    it('refuses missing credentials and a user name other than the identity with 401 and a clear message', async () => {
      const cp = client(plain, 'CP-1');
      await expect(cp.connect()).rejects.toMatchObject({ code: 401 });
      expect(await handshake(`${plain.ocppUrl}/CP-1`)).toMatchObject({ status: 401, body: expect.stringContaining('HTTP Basic authentication required') });
      expect(await handshake(`${plain.ocppUrl}/CP-1`, { user: 'admin', password: PW1 })).toMatchObject({ status: 401, body: expect.stringContaining('station identity') });
      const sec = (await (await plain.api('/api/v1/stations/CP-1/security')).json()) as Record<string, any>;
      expect(sec.recentFailures.byReason).toMatchObject({ missing_credentials: 2, malformed_credentials: 1 });
    });

    it('rotates the password through the API: the old one is refused, the new one accepted', async () => {
      const NEW = 'rotated-password-0001';
      const res = await put(tls, 'CP-1', { profile: 1, password: NEW });
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).not.toMatch(/scrypt|passwordHash|rotated-password/);
      // `plain` cached the old record; another instance sees the change within the record TTL (5 s).
      await eventually(async () => expect((await handshake(`${plain.ocppUrl}/CP-1`, { password: PW1 })).status).toBe(401), 8000, 250);
      expect((await handshake(`${tls.ocppUrl}/CP-1`, { password: PW1, ca: pki.ca })).status).toBe(401);
      const cp = client(tls, 'CP-1', { password: NEW });
      await expect(cp.connect()).resolves.toBeDefined();
      await cp.close();
    });
  });

  describe('profile 2 (TLS + HTTP Basic)', () => {
    it('refuses plain ws even with the right password (403, TLSRequired event)', async () => {
      const r = await handshake(`${plain.ocppUrl}/CP-2`, { password: PW2 });
      expect(r).toMatchObject({ status: 403, body: expect.stringContaining('TLS') });
      expect(await metric(plain, 'chargewatch_auth_failures_total', { reason: 'tls_required' })).toBe(1);
      await eventually(async () => {
        const rows = await influxQuery(tls.config.influx.url, tls.database, `SELECT * FROM security_event WHERE station_id = 'CP-2' AND event_type = 'TLSRequired'`);
        expect(rows).toHaveLength(1);
      });
    });

    it('connects over wss with the right password and refuses a wrong one', async () => {
      const cp = client(tls, 'CP-2', { password: PW2 });
      await cp.connect();
      await expect(cp.call('Heartbeat', {})).resolves.toHaveProperty('currentTime');
      await cp.close();
      expect((await handshake(`${tls.ocppUrl}/CP-2`, { password: PW1, ca: pki.ca })).status).toBe(401);
      expect((await handshake(`${tls.ocppUrl}/CP-2`, { ca: pki.ca })).status).toBe(401);
    });
  });

  describe('profile 3 (TLS client certificate)', () => {
    it('connects with a client certificate issued to the station identity, without a password', async () => {
      const cp = client(tls, 'CP-3', { wsOpts: { ca: pki.ca, ...pki.client('cp3') } });
      await cp.connect();
      await expect(cp.call('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' })).resolves.toMatchObject({ status: 'Accepted' });
      await cp.close();
    });

    it('refuses a trusted certificate issued to another identity', async () => {
      const r = await handshake(`${tls.ocppUrl}/CP-3`, { ca: pki.ca, ...pki.client('other') });
      expect(r).toMatchObject({ status: 401, body: expect.stringContaining('does not belong') });
      expect(await metric(tls, 'chargewatch_auth_failures_total', { reason: 'client_cert_identity' })).toBe(1);
    });

    it('refuses a connection without a client certificate', async () => {
      const r = await handshake(`${tls.ocppUrl}/CP-3`, { ca: pki.ca });
      expect(r).toMatchObject({ status: 401, body: expect.stringContaining('client certificate') });
      // A password does not replace the certificate.
      expect((await handshake(`${tls.ocppUrl}/CP-3`, { ca: pki.ca, password: PW1 })).status).toBe(401);
    });

    it('refuses a certificate with the right CN from a CA it does not trust', async () => {
      const r = await handshake(`${tls.ocppUrl}/CP-3`, { ca: pki.ca, ...pki.client('rogue-cp3') });
      expect(r.status).toBe(401);
      expect(await metric(tls, 'chargewatch_auth_failures_total', { reason: 'client_cert_untrusted' })).toBe(1);
      await eventually(async () => {
        const rows = await influxQuery(tls.config.influx.url, tls.database, `SELECT * FROM security_event WHERE station_id = 'CP-3'`);
        expect(rows.map((x) => x.event_type)).toEqual(expect.arrayContaining(['InvalidClientCertificate']));
        expect(rows.length).toBeGreaterThanOrEqual(3);
      });
    });

    it('refuses profile 3 over plain ws', async () => {
      expect((await handshake(`${plain.ocppUrl}/CP-3`)).status).toBe(403);
    });

    it('maps a certificate by its pinned fingerprint when the CN is not the identity', async () => {
      expect(keep(await handshake(`${tls.ocppUrl}/CP-PIN`, { ca: pki.ca, ...pki.client('pinned') })).status).toBe(101);
      expect((await handshake(`${tls.ocppUrl}/CP-PIN`, { ca: pki.ca, ...pki.client('other') })).status).toBe(401);
    });
  });

  describe('stations without a record', () => {
    it('keep profile 0 (OCPP_DEFAULT_SECURITY_PROFILE=0): no credentials needed, ws or wss, with or without a client certificate', async () => {
      expect(keep(await handshake(`${plain.ocppUrl}/OPEN-1`)).status).toBe(101);
      expect(keep(await handshake(`${tls.ocppUrl}/OPEN-2`, { ca: pki.ca })).status).toBe(101);
      expect(keep(await handshake(`${tls.ocppUrl}/OPEN-3`, { ca: pki.ca, ...pki.client('rogue-cp3') })).status).toBe(101);
    });
  });

  describe('API', () => {
    it('shows the profile and whether a password is set, never the password or its hash', async () => {
      const res = await tls.api('/api/v1/stations/CP-2/security');
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(JSON.parse(text)).toMatchObject({ id: 'CP-2', profile: 2, source: 'station', passwordSet: true, updatedAt: expect.any(String) });
      expect(text).not.toMatch(/scrypt|hash|profile-two/i);
      expect(await (await tls.api('/api/v1/stations/CP-3/security')).json()).toMatchObject({ profile: 3, passwordSet: false });
    });

    it('validates input with 400 and a message', async () => {
      const cases: Array<[unknown, RegExp]> = [
        [{ profile: 1, password: 'short' }, /fewer than 16|16 to 40/],
        [{ profile: 1, password: 'x'.repeat(41) }, /more than 40|16 to 40/],
        [{ profile: 1, password: 'has spaces in it 12345' }, /pattern|printable/],
        [{ profile: 7 }, /allowed values|profile/],
        [{}, /profile/],
        [{ profile: 1 }, /needs a password/],
        [{ profile: 3, certFingerprint: 'nope' }, /64 hex/],
      ];
      for (const [body, message] of cases) {
        const res = await put(tls, 'NEW-STATION', body);
        expect(res.status).toBe(400);
        expect(((await res.json()) as { message: string }).message).toMatch(message);
      }
      expect((await tls.api('/api/v1/stations/NEW-STATION/security')).status).toBe(404);
    });

    it('refuses profiles the OCPP port cannot serve', async () => {
      const r2 = await put(plain, 'CP-X', { profile: 2, password: PW2 });
      expect(r2.status).toBe(400);
      expect(((await r2.json()) as { message: string }).message).toContain('OCPP_TLS_CERT');
      expect((await put(plain, 'CP-X', { profile: 3 })).status).toBe(400);
    });

    it('answers 404 for a station it does not know', async () => {
      const res = await tls.api('/api/v1/stations/NOBODY/security');
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: 'Not Found', message: expect.stringContaining('NOBODY') });
    });

    it('lists the addresses and identities with most refused handshakes', async () => {
      const body = (await (await plain.api('/api/v1/security/auth-failures?limit=5')).json()) as Record<string, any>;
      expect(body.addresses[0]).toMatchObject({ address: '127.0.0.1', count: expect.any(Number) });
      expect(body.stations.map((s: { stationId: string }) => s.stationId)).toContain('CP-1');
      expect(body.totals.bad_password).toBeGreaterThanOrEqual(1);
      expect(body.tracked.capacity).toBeGreaterThan(0);
    });

    it('DELETE returns a station to the default profile', async () => {
      await put(tls, 'TEMP-1', { profile: 1, password: PW1 });
      expect((await handshake(`${plain.ocppUrl}/TEMP-1`)).status).toBe(401);
      expect((await tls.api('/api/v1/stations/TEMP-1/security', { method: 'DELETE' })).status).toBe(200);
      await eventually(async () => expect(keep(await handshake(`${plain.ocppUrl}/TEMP-1`)).status).toBe(101), 8000, 250);
    });
  });

  it('counts a client that gives up on the TLS handshake (it does not trust the server)', async () => {
    const before = await metric(tls, 'chargewatch_connections_rejected_total', { reason: 'tls_error' });
    await expect(handshake(`${tls.ocppUrl}/CP-1`)).rejects.toThrow(/certificate/);
    await eventually(async () => expect(await metric(tls, 'chargewatch_connections_rejected_total', { reason: 'tls_error' })).toBe(before + 1), 3000, 100);
  });

  it('closes a client that never completes the TLS handshake, and counts it', async () => {
    const before = await metric(tls, 'chargewatch_connections_rejected_total', { reason: 'tls_handshake_timeout' });
    const started = Date.now();
    const sock = tcpConnect(tls.ocppPort, '127.0.0.1');
    sock.on('error', () => undefined);
    await new Promise<void>((resolve) => sock.once('close', () => resolve()));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await metric(tls, 'chargewatch_connections_rejected_total', { reason: 'tls_handshake_timeout' })).toBe(before + 1);
  });
});
