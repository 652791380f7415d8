/** OCPP 2.0.1 TransactionEvent: one message for start, updates and end, placed and judged against the shared state. */
import { endFacts, isResentStart, type ChargeEvent, type ConnectorRef, type MeterSample, type TransactionRecord } from '@chargewatch/model';
import { assertNotNegative, eventBase, evseOnly, handler } from './common';
import { importRegisterWh, meterSamples } from './meter';
import type { HandleContext } from './types';
import { parseStationTime } from './units';
import { authorizeToken, idTokenOf, rawMeterValues, type EvseV201, type IdTokenV201, type MeterValueV201 } from './v201-shared';

interface TransactionEventReq {
  eventType: 'Started' | 'Updated' | 'Ended';
  timestamp: string;
  triggerReason: string;
  seqNo: number;
  offline?: boolean;
  reservationId?: number;
  transactionInfo: {
    transactionId: string;
    chargingState?: string;
    stoppedReason?: string;
  };
  evse?: EvseV201;
  idToken?: IdTokenV201;
  meterValue?: MeterValueV201[];
}

/** 2.0.1: stoppedReason "MAY only be omitted when Reason is Local". */
const DEFAULT_STOP_REASON = 'Local';

/**
 * Only the first TransactionEvent must name the EVSE; later ones may omit it (or its connector), so the
 * recorded transaction fills the gap.
 */
function transactionRef(req: TransactionEventReq, known: TransactionRecord | undefined): ConnectorRef {
  const evse = req.evse;
  if (evse?.connectorId !== undefined) {
    assertNotNegative(evse.id, 'evse.id');
    return { evseId: evse.id, connectorId: evse.connectorId };
  }
  if (known && (evse === undefined || known.evseId === evse.id)) return { evseId: known.evseId, connectorId: known.connectorId };
  return evse ? evseOnly(evse.id) : { evseId: 0, connectorId: 0 };
}

function transactionEvent(
  req: TransactionEventReq,
  ctx: HandleContext,
  ref: ConnectorRef,
  samples: readonly MeterSample[],
  known: TransactionRecord | undefined,
): ChargeEvent {
  const common = {
    ...eventBase(ctx, parseStationTime(req.timestamp, ctx.receivedAt)),
    ...ref,
    transactionId: req.transactionInfo.transactionId,
    idToken: req.idToken && idTokenOf(req.idToken),
    offline: req.offline ?? false,
    seqNo: req.seqNo,
    triggerReason: req.triggerReason,
  };
  switch (req.eventType) {
    case 'Started':
      return {
        type: 'transaction.started',
        ...common,
        meterStartWh: importRegisterWh(samples, 'first'),
        reservationId: req.reservationId,
        ...(isResentStart(known) ? { resent: true } : {}),
      };
    case 'Updated':
      return { type: 'transaction.updated', ...common, chargingState: req.transactionInfo.chargingState };
    case 'Ended':
      return {
        type: 'transaction.ended',
        ...common,
        meterStopWh: importRegisterWh(samples, 'last'),
        stoppedReason: req.transactionInfo.stoppedReason ?? DEFAULT_STOP_REASON,
        closedBy: 'station',
        ...endFacts(known),
      };
  }
}

export const transactionEventHandler = handler<TransactionEventReq>(async (req, ctx) => {
  const transactionId = req.transactionInfo.transactionId;
  // The shared state decides resends, the start an end carries and, when the message does not say,
  // the connector — whichever collector saw what. Updates that name their connector (the steady
  // stream of meter values) need no look-up.
  const known =
    req.eventType === 'Ended'
      ? await ctx.decisions.endingTransaction(ctx.stationId, transactionId, ctx.receivedAt)
      : req.eventType === 'Started' || req.evse?.connectorId === undefined
        ? await ctx.decisions.findTransaction(ctx.stationId, transactionId)
        : undefined;
  const ref = transactionRef(req, known);
  const samples = meterSamples(ctx, ref, rawMeterValues(req.meterValue ?? []), transactionId);
  const event = transactionEvent(req, ctx, ref, samples, known);
  // A token that begins a transaction — at its start, or authorizing one started by plugging in — is
  // held to its concurrency limit; a token shown later (to stop) is not.
  const starts = req.eventType === 'Started' || (req.eventType === 'Updated' && req.triggerReason === 'Authorized');
  const request = starts ? { purpose: 'start' as const, transactionId, ...(ref.evseId > 0 ? { evseId: ref.evseId } : {}) } : { purpose: 'authorize' as const };
  const reply = req.idToken ? { idTokenInfo: await authorizeToken(ctx, req.idToken, request) } : {};
  if (reply.idTokenInfo && (event.type === 'transaction.started' || event.type === 'transaction.updated')) event.authorization = reply.idTokenInfo.status;
  // Samples belong inside the transaction: after its start, before its end.
  const events = req.eventType === 'Ended' ? [...samples, event] : [event, ...samples];
  return { reply, events };
});
