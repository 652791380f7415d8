/** OCPP 2.0.1 request shapes and helpers used by more than one of the 2.0.1 handler modules. */
import type { IdToken, IdTokenType } from '@chargewatch/model';
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
}

const AUTHORIZATION_STATUSES_201: ReadonlySet<string> = new Set([
  'Accepted',
  'Blocked',
  'ConcurrentTx',
  'Expired',
  'Invalid',
  'NoCredit',
  'NotAllowedTypeEVSE',
  'NotAtThisLocation',
  'NotAtThisTime',
  'Unknown',
]);
const IDTOKEN_MAX_LENGTH = 36;

export function idTokenOf(token: IdTokenV201): IdToken {
  return { id: token.idToken, type: token.type };
}

function idTokenInfo(decision: AuthorizationDecision): IdTokenInfo {
  const status = AUTHORIZATION_STATUSES_201.has(decision.status) ? decision.status : 'Invalid';
  // Group ids are ours, so they are tokens of type Central; one too long for the schema is optional and dropped.
  const groupIdToken =
    decision.groupId && decision.groupId.length <= IDTOKEN_MAX_LENGTH
      ? { idToken: decision.groupId, type: 'Central' as const }
      : undefined;
  return { status, cacheExpiryDateTime: isoOrUndefined(decision.expiryDate), groupIdToken };
}

export async function authorizeToken(ctx: HandleContext, token: IdTokenV201): Promise<IdTokenInfo> {
  return idTokenInfo(await ctx.decisions.authorize(ctx.stationId, idTokenOf(token)));
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
