/**
 * What the Station page's operations send and how they are put into words: the request of each
 * operation (parameters as model/src/command-schemas.ts accepts them), the confirmation naming the
 * station and what will happen, and the meaning of a command's status and result.
 */
import { isFinalStatus } from '@chargewatch/model/commands';
import { isStationLevelConnector } from '@chargewatch/model/status';
import type { CommandView, ConnectorState, StationOperationRequest } from '../../api/types';

/** A connector of the station; `undefined` where an operation may also address the whole station. */
export interface Target {
  evseId: number;
  connectorId: number;
}

export type OperationRequest = StationOperationRequest;

/** The messages the page offers to trigger, by their OCPP name. */
export const TRIGGER_OPTIONS = [
  { label: 'StatusNotification', value: 'status' },
  { label: 'MeterValues', value: 'meterValues' },
] as const;

export type TriggerChoice = (typeof TRIGGER_OPTIONS)[number]['value'];

/** Connectors an operation can address: the ports (the 1.6 station-level connector 0 is the station). */
export function portTargets(connectors: ConnectorState[]): Target[] {
  const seen = new Set<string>();
  const out: Target[] = [];
  for (const c of connectors) {
    const key = `${c.evseId}/${c.connectorId}`;
    if (isStationLevelConnector(c.evseId) || seen.has(key)) {
      continue;
    }
    seen.add(key);
    out.push({ evseId: c.evseId, connectorId: c.connectorId });
  }
  return out.sort((a, b) => a.evseId - b.evseId || a.connectorId - b.connectorId);
}

export const targetKey = (t?: Target) => (t ? `${t.evseId}/${t.connectorId}` : 'station');

export function parseTargetKey(key: string | undefined, targets: Target[]): Target | undefined {
  return targets.find((t) => targetKey(t) === key);
}

export const targetLabel = (t?: Target) => (t ? `connector ${t.evseId}/${t.connectorId}` : 'the whole station');

const at = (t?: Target) => (t ? { evseId: t.evseId, connectorId: t.connectorId } : {});

export function resetRequest(type: 'soft' | 'hard'): OperationRequest {
  return { name: 'Reset', params: { type } };
}

export function triggerRequest(message: TriggerChoice, target?: Target): OperationRequest {
  return { name: 'TriggerMessage', params: { message, ...at(target) } };
}

export function unlockRequest(target: Target): OperationRequest {
  return { name: 'UnlockConnector', params: { evseId: target.evseId, connectorId: target.connectorId } };
}

export function availabilityRequest(availability: 'operative' | 'inoperative', target?: Target): OperationRequest {
  return { name: 'ChangeAvailability', params: { availability, ...at(target) } };
}

const targetOf = (p: { evseId?: number; connectorId?: number }): Target | undefined =>
  p.evseId === undefined ? undefined : { evseId: p.evseId, connectorId: p.connectorId ?? 1 };

export interface Confirmation {
  title: string;
  body: string;
  confirmText: string;
}

/** The confirmation of `req`: which station, and what will happen there. */
export function confirmationOf(stationId: string, req: OperationRequest): Confirmation {
  switch (req.name) {
    case 'Reset':
      return req.params.type === 'hard'
        ? {
            title: `Hard reset of ${stationId}`,
            body: `${stationId} restarts at once (OCPP 1.6 Hard, 2.0.1 Immediate); charging sessions on it are cut off and the station is offline until it has booted.`,
            confirmText: 'Hard reset',
          }
        : {
            title: `Soft reset of ${stationId}`,
            body: `${stationId} restarts gracefully (OCPP 1.6 Soft, 2.0.1 OnIdle): it ends its charging sessions first and is offline until it has booted.`,
            confirmText: 'Soft reset',
          };
    case 'TriggerMessage': {
      const message = TRIGGER_OPTIONS.find((o) => o.value === req.params.message)?.label ?? req.params.message;
      return {
        title: `Trigger ${message} on ${stationId}`,
        body: `${stationId} is asked to send a ${message} now for ${targetLabel(targetOf(req.params))}. Charging is not affected.`,
        confirmText: `Trigger ${message}`,
      };
    }
    case 'UnlockConnector': {
      const label = targetLabel(targetOf(req.params));
      return {
        title: `Unlock ${label} of ${stationId}`,
        body: `${stationId} unlocks ${label}; a charging session on it ends.`,
        confirmText: 'Unlock',
      };
    }
    case 'ChangeAvailability': {
      const label = targetLabel(targetOf(req.params));
      return req.params.availability === 'inoperative'
        ? {
            title: `Set ${label} of ${stationId} inoperative`,
            body: `${label} of ${stationId} becomes Unavailable and takes no new charging sessions (a running one finishes first) until set operative again.`,
            confirmText: 'Set inoperative',
          }
        : {
            title: `Set ${label} of ${stationId} operative`,
            body: `${label} of ${stationId} becomes available for charging again.`,
            confirmText: 'Set operative',
          };
    }
  }
}

/** What a command asked for, in a few words (for the history). */
export function commandSummary(c: Pick<CommandView, 'name' | 'params'>): string {
  const p = c.params as Record<string, unknown>;
  const target = targetLabel(targetOf(p as { evseId?: number; connectorId?: number }));
  switch (c.name) {
    case 'Reset':
      return `${String(p.type ?? '')} reset`.trim();
    case 'TriggerMessage':
      return `${TRIGGER_OPTIONS.find((o) => o.value === p.message)?.label ?? String(p.message)}, ${target}`;
    case 'UnlockConnector':
      return target;
    case 'ChangeAvailability':
      return `${String(p.availability)}, ${target}`;
    default:
      return '';
  }
}

export type Tone = 'success' | 'error' | 'warning' | 'info';

export interface CommandState {
  tone: Tone;
  /** short status, e.g. "Accepted" */
  label: string;
  /** what it means, with the station's reason where it gave one */
  detail: string;
  final: boolean;
}

/** The meaning of a command's status and result (model/src/commands.ts, CommandResult). */
export function commandState(c: Pick<CommandView, 'status' | 'result'>): CommandState {
  const reason = c.result?.reason;
  const data = c.result?.data ?? {};
  const withReason = (text: string) => (reason ? `${text}: ${reason}` : text);
  const final = isFinalStatus(c.status);
  switch (c.status) {
    case 'queued':
      return {
        tone: 'info',
        label: 'Queued',
        detail:
          'Waiting to be sent to the station (one command at a time; an offline station gets it when it reconnects)',
        final,
      };
    case 'sending':
      return { tone: 'info', label: 'Sending', detail: "Sent; waiting for the station's answer", final };
    case 'accepted':
      return { tone: 'success', label: 'Accepted', detail: withReason('The station accepted the command'), final };
    case 'rejected':
      return { tone: 'error', label: 'Rejected', detail: withReason('The station refused'), final };
    case 'not_supported':
      return {
        tone: 'warning',
        label: 'Not supported',
        detail: withReason('The station does not support this'),
        final,
      };
    case 'call_error': {
      const code = [data.code, data.description].filter((x) => typeof x === 'string' && x).join(': ');
      return {
        tone: 'error',
        label: 'Call error',
        detail: `The station answered with an error${code ? `: ${code}` : reason ? `: ${reason}` : ''}`,
        final,
      };
    }
    case 'timeout':
      return { tone: 'error', label: 'Timeout', detail: withReason('No answer from the station in time'), final };
    case 'offline':
      return { tone: 'warning', label: 'Offline', detail: withReason('The station was not connected'), final };
    case 'interrupted':
      return {
        tone: 'warning',
        label: 'Interrupted',
        detail: 'The connection closed before the station answered; it may or may not have been carried out',
        final,
      };
    default:
      return { tone: 'info', label: String(c.status), detail: '', final };
  }
}
