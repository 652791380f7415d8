/**
 * Hostile inputs sent over raw websockets, each on its own station identity, while the reliable
 * stations keep their load going. Every input must be answered (a CALLERROR naming its message id)
 * or end its connection with a close code; none may be stored as data.
 */
import WebSocket from 'ws';

export interface HostileInput {
  name: string;
  protocol: 'ocpp1.6' | 'ocpp2.0.1';
  /** Text frame, or a Buffer sent as a binary frame. */
  frame: () => string | Buffer;
  /**
   * What counts as handled: a CALLERROR; any answer (CALLRESULT or CALLERROR); a CALLERROR or any close;
   * or a close with one of the listed codes.
   */
  expect: 'callerror' | 'answer' | 'callerror-or-close' | { close: number[] };
}

export interface HostileOutcome {
  name: string;
  expected: string;
  /** e.g. `CALLERROR FormationViolation`, `close 1009`, `no answer`. */
  observed: string;
  ok: boolean;
}

const iso = (ms: number) => new Date(ms).toISOString();
const meter16 = (id: string, ts: string, value: string) =>
  JSON.stringify([2, id, 'MeterValues', { connectorId: 1, meterValue: [{ timestamp: ts, sampledValue: [{ value, measurand: 'Energy.Active.Import.Register' }] }] }]);

export const HOSTILE_INPUTS: HostileInput[] = [
  { name: 'malformed JSON', protocol: 'ocpp1.6', frame: () => '[2,"mj-1","Heartbeat",{', expect: 'callerror' },
  { name: 'JSON that is not an OCPP-J array', protocol: 'ocpp2.0.1', frame: () => '{"hello":"world"}', expect: 'callerror' },
  { name: 'unknown message type id', protocol: 'ocpp1.6', frame: () => '[7,"bt-1","Heartbeat",{}]', expect: 'callerror' },
  // OCPP-J caps message ids at 36 characters; the frame gate refuses longer ones (RpcFrameworkError).
  { name: 'message id longer than 36 characters', protocol: 'ocpp2.0.1', frame: () => JSON.stringify([2, 'x'.repeat(64), 'Heartbeat', {}]), expect: 'callerror' },
  { name: 'unknown action', protocol: 'ocpp1.6', frame: () => '[2,"ua-1","SelfDestruct",{}]', expect: 'callerror' },
  { name: 'schema violation (MeterValues without meterValue)', protocol: 'ocpp1.6', frame: () => '[2,"sv-1","MeterValues",{"connectorId":1}]', expect: 'callerror' },
  { name: 'binary frame', protocol: 'ocpp1.6', frame: () => Buffer.from([2, 0, 1, 255, 0, 7]), expect: { close: [1003] } },
  { name: 'oversize frame (256 KiB)', protocol: 'ocpp2.0.1', frame: () => meter16('big-1', iso(Date.now()), '1'.repeat(256 * 1024)), expect: { close: [1009] } },
  {
    name: 'NaN literal in a meter value',
    protocol: 'ocpp2.0.1',
    frame: () => `[2,"nan-1","MeterValues",{"evseId":1,"meterValue":[{"timestamp":"${iso(Date.now())}","sampledValue":[{"value":NaN}]}]}]`,
    expect: 'callerror',
  },
  { name: 'NaN string as a 1.6 meter value', protocol: 'ocpp1.6', frame: () => meter16('nan-2', iso(Date.now()), 'NaN'), expect: 'callerror' },
  {
    name: 'number overflowing to Infinity',
    protocol: 'ocpp2.0.1',
    frame: () => `[2,"inf-1","MeterValues",{"evseId":1,"meterValue":[{"timestamp":"${iso(Date.now())}","sampledValue":[{"value":1e400}]}]}]`,
    expect: 'callerror',
  },
  { name: 'timestamp in year 9999', protocol: 'ocpp1.6', frame: () => meter16('ts-1', '9999-12-31T23:59:59.999Z', '5'), expect: 'callerror' },
  { name: 'timestamp at the epoch', protocol: 'ocpp1.6', frame: () => meter16('ts-2', '1970-01-01T00:00:00Z', '5'), expect: 'callerror' },
  { name: 'timestamp on 30 February', protocol: 'ocpp1.6', frame: () => meter16('ts-3', '2024-02-30T12:00:00Z', '5'), expect: 'callerror' },
  { name: 'timestamp that is not a date', protocol: 'ocpp2.0.1', frame: () => `[2,"ts-4","MeterValues",{"evseId":1,"meterValue":[{"timestamp":"yesterday","sampledValue":[{"value":5}]}]}]`, expect: 'callerror' },
  {
    name: 'deeply nested JSON (10,000 levels)',
    protocol: 'ocpp1.6',
    frame: () => `[2,"deep-1","DataTransfer",{"vendorId":"x","data":${'['.repeat(10_000)}${']'.repeat(10_000)}}]`,
    // The frame gate answers FormationViolation before ocpp-rpc parses it (which used to close instead).
    expect: 'callerror',
  },
];

/** Sends one input on a fresh connection; waits up to timeoutMs for an answer or a close. */
export function tryInput(url: string, identity: string, input: HostileInput, timeoutMs = 5000): Promise<HostileOutcome> {
  const x = input.expect;
  const expected =
    x === 'callerror' ? 'CALLERROR' : x === 'answer' ? 'an answer' : x === 'callerror-or-close' ? 'CALLERROR or close' : `close ${x.close.join('/')}`;
  return new Promise((resolve) => {
    const ws = new WebSocket(`${url}/${identity}`, [input.protocol]);
    let settled = false;
    const finish = (observed: string, ok: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.terminate();
      resolve({ name: input.name, expected, observed, ok });
    };
    const timer = setTimeout(() => finish('no answer', false), timeoutMs);
    ws.on('error', () => undefined);
    ws.on('unexpected-response', (_req, res) => finish(`HTTP ${res.statusCode} on connect`, false));
    ws.on('open', () => ws.send(input.frame()));
    ws.on('message', (data: Buffer) => {
      let msg: unknown;
      try {
        msg = JSON.parse(data.toString('utf8'));
      } catch {
        finish('unparseable answer', false);
        return;
      }
      if (!Array.isArray(msg)) return finish('answer that is not an array', false);
      if (msg[0] === 4) return finish(`CALLERROR ${String(msg[2])}`, typeof x === 'string');
      if (msg[0] === 3) return finish('CALLRESULT', x === 'answer');
      // A call from the collector (none expected here): keep waiting.
    });
    ws.on('close', (code: number) => {
      const ok = x === 'callerror-or-close' || (typeof x === 'object' && x.close.includes(code));
      finish(`close ${code}`, ok);
    });
  });
}

export async function runHostileInputs(url: string, prefix: string): Promise<HostileOutcome[]> {
  const out: HostileOutcome[] = [];
  let i = 0;
  for (const input of HOSTILE_INPUTS) out.push(await tryInput(url, `${prefix}${String(++i).padStart(2, '0')}`, input));
  return out;
}
