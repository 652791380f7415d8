import { createRPCError } from 'ocpp-rpc/lib/util';

/** The OCPP-J error codes the adapters raise; ocpp-rpc renames FormatViolation for 1.6 stations itself. */
export type AdapterErrorCode = 'PropertyConstraintViolation' | 'FormatViolation' | 'NotImplemented';

/**
 * An ocpp-rpc RPCError, which the server turns into a CALLERROR with this code. ocpp-rpc types its factory
 * as returning a plain record, so the cast lives here once.
 */
export function rpcError(code: AdapterErrorCode, message: string, details?: Record<string, unknown>): Error {
  return createRPCError(code, message, details) as unknown as Error;
}

export function propertyViolation(message: string, details?: Record<string, unknown>): Error {
  return rpcError('PropertyConstraintViolation', message, details);
}
