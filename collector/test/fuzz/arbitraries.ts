/**
 * What a hostile or badly written client sends, as fast-check arbitraries. Each class mixes plain
 * random input with the shapes that broke earlier versions (undecodable escapes, separators of Redis
 * keys and line protocol, trailing whitespace, lone surrogates, deep nesting, long message ids), so a
 * short seeded run still reaches the edges.
 */
import fc from 'fast-check';

const hex2 = (b: number) => '%' + b.toString(16).toUpperCase().padStart(2, '0');

/** The characters that separate or escape something in one of our stores or protocols. */
const NASTY = ['\\', ' ', '\t', '\n', '\r', '"', "'", ',', '=', ':', '{', '}', '%', '/', '\u0000', '\u00e9', '\u{1F600}', '\ud800', '\udfff', '*', '|', '@', '.'];
const nastyChar = fc.constantFrom(...NASTY);

/** Strings dense in separators and escapes, plus arbitrary UTF-16 (lone surrogates included). */
export function hostileString(maxLength: number): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ unit: fc.oneof(nastyChar, fc.constantFrom('a', 'B', '7')), maxLength }),
    fc.string({ unit: 'binary', maxLength }),
    fc.string({ unit: 'grapheme', maxLength }),
    fc.tuple(fc.string({ maxLength: Math.max(0, maxLength - 2) }), fc.constantFrom('\\', '\\ ', '\\\t', '\\\n', ' ', '\n', '\t')).map(([a, b]) => a + b),
  ).filter((s) => s.length <= maxLength);
}

/** Percent-encodes like encodeURIComponent, but also lone surrogates (as the bytes a client might send). */
function encodeSegment(s: string): string {
  let out = '';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) out += hex2(0xe0 | (code >> 12)) + hex2(0x80 | ((code >> 6) & 0x3f)) + hex2(0x80 | (code & 0x3f));
    else out += encodeURIComponent(ch);
  }
  return out;
}

/** Identity syntax OCPP 2.0.1 calls identifierString (the collector's default policy). */
export const IDENTIFIER_STRING = /^[A-Za-z0-9*\-_=:+|@.]{1,48}$/;

/** A path segment as it appears on the wire: well-formed ids, encoded hostile ids, raw escapes. */
export const identitySegment: fc.Arbitrary<string> = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9*\-_=:+|@.]{1,60}$/),
  hostileString(60).map(encodeSegment),
  fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 12 }).map((bytes) => bytes.map(hex2).join('')),
  fc.array(fc.constantFrom('%', '%zz', '%C3%28', '%E0%80', '%2F', '%00', '%20', '%5C', '%0A', '..', '.', 'CP', '%3Aconnectors', '%7B', '%'), { minLength: 1, maxLength: 6 }).map((p) => p.join('')),
);

/** Request targets for the OCPP port: the documented form and the forms a parser might mishandle. */
export const upgradeTarget: fc.Arbitrary<string> = fc.oneof(
  identitySegment.map((s) => `/ocpp/${s}`),
  fc.tuple(identitySegment, identitySegment).map(([a, b]) => `/ocpp/${a}/${b}`),
  identitySegment.map((s) => `/${s}`),
  fc.tuple(identitySegment, fc.string({ maxLength: 20 })).map(([s, q]) => `/ocpp/${s}?${encodeURIComponent(q)}`),
  identitySegment.map((s) => `/ocpp//${s}`),
  identitySegment.map((s) => `http://127.0.0.1/ocpp/${s}`),
  fc.constantFrom('/ocpp/', '/ocpp', '*', '/', '/ocpp/%', '/ocpp/%C3%28'),
);

/** Sec-WebSocket-Protocol values; undefined sends no header. */
export const subprotocolHeader: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constantFrom(undefined, 'ocpp1.6', 'ocpp2.0.1', 'ocpp1.6,,', ' , ', ',', 'ocpp1.6, ocpp2.0.1', 'ocpp2.0.1,ocpp1.6', 'OCPP1.6', ''),
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 }),
);

export const ACTIONS_16 = ['BootNotification', 'Heartbeat', 'StatusNotification', 'MeterValues', 'StartTransaction', 'StopTransaction', 'Authorize', 'DataTransfer', 'FirmwareStatusNotification', 'DiagnosticsStatusNotification', 'SecurityEventNotification', 'SignCertificate', 'LogStatusNotification', 'SignedFirmwareStatusNotification'];
export const ACTIONS_201 = ['BootNotification', 'Heartbeat', 'StatusNotification', 'MeterValues', 'TransactionEvent', 'Authorize', 'DataTransfer', 'NotifyEvent', 'NotifyReport', 'SecurityEventNotification', 'FirmwareStatusNotification', 'LogStatusNotification', 'SignCertificate', 'Get15118EVCertificate'];

const messageId = fc.oneof(fc.uuid(), fc.string({ minLength: 1, maxLength: 36 }), fc.string({ unit: 'binary', minLength: 1, maxLength: 48 }), fc.string({ minLength: 37, maxLength: 80 }), fc.constantFrom('', 'é', '"', '\\'));

/** One text frame; `call` tells the checker which message id must come back. */
export interface FuzzFrame {
  text: string;
  /** Present when the frame is a well-formed CALL, whose id the collector must answer (or refuse). */
  callId?: string;
}

const call = (actions: string[]) =>
  fc.tuple(messageId, fc.oneof(fc.constantFrom(...actions), fc.constantFrom(...ACTIONS_16, ...ACTIONS_201), fc.string({ maxLength: 30 })), fc.oneof(fc.object({ maxDepth: 3 }), fc.constant({}))).map(
    ([id, action, payload]): FuzzFrame => ({ text: JSON.stringify([2, id, action, payload]), callId: id }),
  );

// At most 8,000 levels: deeper frames pass OCPP_MAX_PAYLOAD_BYTES (64 KiB) and close with 1009 by design.
const deepCall = fc.tuple(fc.integer({ min: 20, max: 8_000 }), fc.constantFrom('[', '{"a":')).map(([depth, open]): FuzzFrame => {
  const close = open === '[' ? ']' : '}';
  return { text: `[2,"deep-${depth}","DataTransfer",{"vendorId":"x","data":${open.repeat(depth)}1${close.repeat(depth)}}]`, callId: `deep-${depth}` };
});

/** Frames for a connected station: calls with random ids, actions and payloads, and non-calls. */
export function frame(actions: string[]): fc.Arbitrary<FuzzFrame> {
  return fc.oneof(
    { weight: 4, arbitrary: call(actions) },
    { weight: 1, arbitrary: deepCall },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v): FuzzFrame => ({ text: JSON.stringify(v) ?? 'null' })) },
    { weight: 1, arbitrary: fc.string({ maxLength: 60 }).map((s): FuzzFrame => ({ text: s })) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(3, 4), messageId).map(([t, id]): FuzzFrame => ({ text: JSON.stringify(t === 3 ? [3, id, {}] : [4, id, 'GenericError', '', {}]) })) },
    { weight: 1, arbitrary: fc.tuple(fc.integer({ min: -5, max: 9 }), messageId).map(([t, id]): FuzzFrame => ({ text: JSON.stringify([t, id, 'Heartbeat', {}]) })) },
  );
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** The internal API's routes, with a concrete station id. */
const ROUTES = [
  '/api/v1/stations',
  '/api/v1/stations/VICTIM',
  '/api/v1/stations/VICTIM/history',
  '/api/v1/stations/VICTIM/metadata',
  '/api/v1/stations/VICTIM/registration',
  '/api/v1/stations/VICTIM/security',
  '/api/v1/stations/VICTIM/commands',
  '/api/v1/stations/metadata/import',
  '/api/v1/fleet/summary',
  '/api/v1/security/auth-failures',
  '/api/v1/audit',
];

/** Rewrites a path the ways a router and a string comparison may disagree about. */
const mutation = fc.constantFrom<(p: string) => string>(
  (p) => p,
  (p) => p.replace('/api', '/%61pi'),
  (p) => p.replace('/api', '/%61%70%69'),
  (p) => p.replace('/v1', '/%761'),
  (p) => p.toUpperCase(),
  (p) => p.replace('/api', '/API'),
  (p) => `/${p}`,
  (p) => p.replace('/v1/', '/v1//'),
  (p) => `${p}/`,
  (p) => `/x/..${p}`,
  (p) => `/api/../${p.slice(1)}`,
  (p) => p.replace(/\//g, '%2F'),
  (p) => `http://127.0.0.1${p}`,
  (p) => `${p}?a=1`,
  (p) => `${p}#x`,
  (p) => `${p};x`,
  (p) => p.replace('/stations', '/stations%00'),
);

export interface ApiProbe {
  method: string;
  target: string;
}

/** Requests without a token: any of them reaching a handler is a bypass. */
export const unauthenticatedProbe: fc.Arbitrary<ApiProbe> = fc
  .tuple(fc.constantFrom(...METHODS), fc.constantFrom(...ROUTES), fc.array(mutation, { minLength: 1, maxLength: 3 }))
  .map(([method, route, ms]) => ({ method, target: ms.reduce((p, m) => m(p), route) }));

/** Station ids in API paths, for authorised requests: hostile ids get 4xx, never 5xx. */
export const apiStationId = hostileString(80).filter((s) => s.length > 0).map(encodeSegment);
