import * as rpcErrors from 'ocpp-rpc/lib/errors';
import { OCPP16_ERROR_CODES, OCPP201_ERROR_CODES, localiseCallError } from '../../../src/ocpp/adapters/error-codes';

/** Every CALLERROR code ocpp-rpc can put in a frame: the codes of all its RPCError classes. */
const RPC_CODES = [
  ...new Set(
    Object.values(rpcErrors as unknown as Record<string, new (m: string) => Error & { rpcErrorCode?: string }>)
      .map((E) => { try { return new E('x').rpcErrorCode; } catch { return undefined; } })
      .filter((c): c is string => typeof c === 'string'),
  ),
];

const callError = (code: string, description = 'bad frame', details: unknown = {}) => JSON.stringify([4, 'msg-1', code, description, details]);

describe('localiseCallError for ocpp1.6', () => {
  it.each([
    ['RpcFrameworkError', 'FormationViolation'],
    ['FormatViolation', 'FormationViolation'],
    ['MessageTypeNotSupported', 'NotSupported'],
    ['OccurrenceConstraintViolation', 'OccurenceConstraintViolation'],
  ])('maps the 2.0.1 code %s to %s and keeps the rest of the frame', (from, to) => {
    const frame = callError(from, 'Could not parse "x"', { line: 3 });
    const out = localiseCallError('ocpp1.6', frame);
    expect(JSON.parse(out)).toEqual([4, 'msg-1', to, 'Could not parse "x"', { line: 3 }]);
  });

  it('only ever produces codes 1.6 knows, for any 2.0.1 code', () => {
    for (const code of OCPP201_ERROR_CODES) {
      const out = JSON.parse(localiseCallError('ocpp1.6', callError(code))) as unknown[];
      expect(OCPP16_ERROR_CODES as readonly string[]).toContain(out[2]);
    }
  });

  it.each(['NotImplemented', 'NotSupported', 'InternalError', 'ProtocolError', 'SecurityError', 'GenericError', 'TypeConstraintViolation', 'PropertyConstraintViolation', 'FormationViolation'])(
    'leaves the shared or 1.6 code %s byte for byte unchanged',
    (code) => {
      const frame = callError(code);
      expect(localiseCallError('ocpp1.6', frame)).toBe(frame);
    },
  );

  it('leaves CALL and CALLRESULT frames unchanged even if they contain a 2.0.1 code', () => {
    const call = JSON.stringify([2, 'm1', 'DataTransfer', { vendorId: 'x', data: 'RpcFrameworkError' }]);
    const result = JSON.stringify([3, 'm1', { status: 'Accepted', data: 'FormatViolation' }]);
    expect(localiseCallError('ocpp1.6', call)).toBe(call);
    expect(localiseCallError('ocpp1.6', result)).toBe(result);
  });

  it.each([
    '',
    'not json',
    '[4,',
    '[4,"id","RpcFrameworkError"', // truncated
    '[4,"id",{"a":1},"x",{}]', // code not a string
    '[4,"id",null,"x",{}]',
    '[4]',
    '{"4":"RpcFrameworkError"}',
  ])('tolerates garbage %p (returns it unchanged, does not throw)', (frame) => {
    expect(localiseCallError('ocpp1.6', frame)).toBe(frame);
  });

  // SRC BUG (minor, see report): OCPP16_CODES is a plain object, so OCPP16_CODES['constructor'] finds
  // Object.prototype.constructor and the frame is rewritten with a null code. Fails until fixed.
  it('does not treat inherited object properties as codes', () => {
    for (const code of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const frame = callError(code);
      expect(localiseCallError('ocpp1.6', frame)).toBe(frame);
    }
  });
});

describe('localiseCallError for ocpp2.0.1', () => {
  it.each([
    ['FormationViolation', 'FormatViolation'],
    ['OccurenceConstraintViolation', 'OccurrenceConstraintViolation'],
  ])('maps the 1.6 spelling %s to %s', (from, to) => {
    expect(JSON.parse(localiseCallError('ocpp2.0.1', callError(from, 'd', { a: 1 })))).toEqual([4, 'msg-1', to, 'd', { a: 1 }]);
  });

  it.each(OCPP201_ERROR_CODES.map((c) => [c]))('leaves the 2.0.1 code %s byte for byte unchanged', (code) => {
    const frame = callError(code);
    expect(localiseCallError('ocpp2.0.1', frame)).toBe(frame);
  });
});

describe('every code ocpp-rpc can emit', () => {
  it('covers the codes of both versions (the list is read from ocpp-rpc itself)', () => {
    expect(RPC_CODES).toEqual(expect.arrayContaining(['FormationViolation', 'OccurenceConstraintViolation', 'RpcFrameworkError', 'FormatViolation']));
    expect(RPC_CODES.length).toBeGreaterThanOrEqual(14);
  });

  it.each([
    ['ocpp1.6', OCPP16_ERROR_CODES as readonly string[]],
    ['ocpp2.0.1', OCPP201_ERROR_CODES as readonly string[]],
  ])('reaches a %s station only as a code of its own version', (protocol, own) => {
    for (const code of RPC_CODES) {
      const out = JSON.parse(localiseCallError(protocol, callError(code))) as unknown[];
      expect([code, own.includes(out[2] as string)]).toEqual([code, true]);
    }
  });
});

describe('localiseCallError for other protocols', () => {
  it.each(['ocpp2.1', '', 'OCPP1.6'])('leaves frames of %p unchanged', (protocol) => {
    for (const code of ['RpcFrameworkError', 'FormatViolation', 'MessageTypeNotSupported', 'OccurrenceConstraintViolation']) {
      const frame = callError(code);
      expect(localiseCallError(protocol, frame)).toBe(frame);
    }
  });
});

describe('code lists', () => {
  it('match the specifications', () => {
    // 1.6 spells Occurence and FormationViolation; 2.0.1 fixed both and added RpcFrameworkError,
    // FormatViolation and MessageTypeNotSupported.
    expect([...OCPP16_ERROR_CODES].sort()).toEqual(
      ['FormationViolation', 'GenericError', 'InternalError', 'NotImplemented', 'NotSupported', 'OccurenceConstraintViolation', 'PropertyConstraintViolation', 'ProtocolError', 'SecurityError', 'TypeConstraintViolation'].sort(),
    );
    expect(OCPP201_ERROR_CODES).toHaveLength(12);
    expect(OCPP201_ERROR_CODES).toEqual(expect.arrayContaining(['RpcFrameworkError', 'FormatViolation', 'MessageTypeNotSupported', 'OccurrenceConstraintViolation']));
    expect(OCPP201_ERROR_CODES).not.toContain('FormationViolation');
  });
});
