/**
 * CALLERROR codes differ between versions: OCPP 2.0.1 added RpcFrameworkError, FormatViolation and
 * MessageTypeNotSupported, while 1.6 spells FormationViolation and OccurenceConstraintViolation.
 * ocpp-rpc mixes them whatever the protocol: unparsable frames get 2.0.1 codes, its schema validator
 * raises the 1.6 spelling OccurenceConstraintViolation, and for 1.6 it even turns that into the 2.0.1
 * spelling. Every outgoing CALLERROR is therefore put into its station's own vocabulary here.
 */
const OCPP16_CODES: Record<string, string> = {
  RpcFrameworkError: 'FormationViolation',
  FormatViolation: 'FormationViolation',
  MessageTypeNotSupported: 'NotSupported',
  OccurrenceConstraintViolation: 'OccurenceConstraintViolation',
};

export const OCPP16_ERROR_CODES = [
  'NotImplemented', 'NotSupported', 'InternalError', 'ProtocolError', 'SecurityError', 'FormationViolation',
  'PropertyConstraintViolation', 'OccurenceConstraintViolation', 'TypeConstraintViolation', 'GenericError',
] as const;

export const OCPP201_ERROR_CODES = [
  'FormatViolation', 'GenericError', 'InternalError', 'MessageTypeNotSupported', 'NotImplemented', 'NotSupported',
  'OccurrenceConstraintViolation', 'PropertyConstraintViolation', 'ProtocolError', 'RpcFrameworkError',
  'SecurityError', 'TypeConstraintViolation',
] as const;

/** 1.6 spellings (ocpp-rpc's validator uses OccurenceConstraintViolation for every protocol) into 2.0.1's. */
const OCPP201_CODES: Record<string, string> = {
  FormationViolation: 'FormatViolation',
  OccurenceConstraintViolation: 'OccurrenceConstraintViolation',
};

const CODES_BY_PROTOCOL: Readonly<Record<string, Record<string, string>>> = { 'ocpp1.6': OCPP16_CODES, 'ocpp2.0.1': OCPP201_CODES };

/** The code a station of this protocol must receive for `code` (unchanged when it already is one of its own). */
export function localErrorCode(protocol: string, code: string): string {
  const table = Object.hasOwn(CODES_BY_PROTOCOL, protocol) ? CODES_BY_PROTOCOL[protocol]! : undefined;
  return table && Object.hasOwn(table, code) ? table[code]! : code;
}

/** Rewrites an outgoing CALLERROR frame for the given protocol; other frames pass unchanged. */
export function localiseCallError(protocol: string, frame: string): string {
  if (!Object.hasOwn(CODES_BY_PROTOCOL, protocol) || !frame.startsWith('[4,')) return frame;
  try {
    const msg = JSON.parse(frame) as [number, string, string, string, unknown];
    if (typeof msg[2] !== 'string') return frame;
    const code = localErrorCode(protocol, msg[2]);
    if (code === msg[2]) return frame;
    msg[2] = code;
    return JSON.stringify(msg);
  } catch {
    return frame;
  }
}
