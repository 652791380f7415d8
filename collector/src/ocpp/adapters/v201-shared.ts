/** OCPP 2.0.1 request shapes and helpers used by more than one of the 2.0.1 handler modules. */
import { isAuthorizationStatus, type AuthorizationRequest, type IdToken, type IdTokenType } from '@chargewatch/model';
import { isoOrUndefined } from './common';
import type { RawMeterValue } from './meter';
import type { AuthorizationDecision, HandleContext } from './types';

export interface IdTokenV201 {
  idToken: string;
  type: Exclude<IdTokenType, 'Unknown'>;
}

export interface EvseV201 {
  id: number;
  connectorId?: number;
}

export interface ComponentV201 {
  name: string;
  instance?: string;
  evse?: EvseV201;
}

export interface VariableV201 {
  name: string;
  instance?: string;
}

interface SampledValueV201 {
  value: number;
  context?: string;
  measurand?: string;
  phase?: string;
  location?: string;
  unitOfMeasure?: { unit?: string; multiplier?: number };
}

export interface MeterValueV201 {
  timestamp: string;
  sampledValue: SampledValueV201[];
}

interface IdTokenInfo {
  status: string;
  cacheExpiryDateTime?: string;
  groupIdToken?: IdTokenV201;
  evseId?: number[];
}
const IDTOKEN_MAX_LENGTH = 36;

export function idTokenOf(token: IdTokenV201): IdToken {
  return { id: token.idToken, type: token.type };
}

function idTokenInfo(decision: AuthorizationDecision): IdTokenInfo {
  const status = isAuthorizationStatus(decision.status) ? decision.status : 'Invalid';
  // Group ids are ours, so they are tokens of type Central; one too long for the schema is optional and dropped.
  const groupIdToken =
    decision.groupId && decision.groupId.length <= IDTOKEN_MAX_LENGTH
      ? { idToken: decision.groupId, type: 'Central' as const }
      : undefined;
  // evseId: "only used when the IdToken is only valid for one or more specific EVSEs" (minItems 1).
  const evseId = decision.evseIds?.filter((n) => Number.isInteger(n) && n > 0);
  return { status, cacheExpiryDateTime: isoOrUndefined(decision.expiryDate), groupIdToken, ...(evseId?.length ? { evseId } : {}) };
}

export async function authorizeToken(ctx: HandleContext, token: IdTokenV201, request?: AuthorizationRequest): Promise<IdTokenInfo> {
  return idTokenInfo(await ctx.decisions.authorize(ctx.stationId, idTokenOf(token), request));
}

export function rawMeterValues(meterValues: readonly MeterValueV201[]): RawMeterValue[] {
  return meterValues.map((mv) => ({
    timestamp: mv.timestamp,
    sampledValue: mv.sampledValue.map((sv) => ({
      value: sv.value,
      measurand: sv.measurand,
      unit: sv.unitOfMeasure?.unit,
      multiplier: sv.unitOfMeasure?.multiplier,
      phase: sv.phase,
      location: sv.location,
      context: sv.context,
    })),
  }));
}
