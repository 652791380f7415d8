/**
 * A command record as stored in its Redis hash (`cmd:<id>`) and decoded for readers. Fields:
 *   id, station, name, status, submittedAt, deadline, wfc (1/0)
 *   params     raw parameters as JSON, needed to send; removed when the command ends
 *   shown      the redacted parameters (model's redactCommandParams), what every reader sees
 *   actor      JSON Actor
 *   sentAt, replyBy, collector, conn (`<collector>@<connectedAt>`), protocol, action   once taken
 *   result, finishedAt                                                                 once final
 */
import { isCommandName, type Actor, type CommandRecord, type CommandResult, type CommandStatus } from '@chargewatch/model';

const num = (v: string | undefined): number | undefined => {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
};

function json<T>(v: string | undefined, fallback: T): T {
  if (!v) return fallback;
  try {
    return JSON.parse(v) as T;
  } catch {
    return fallback;
  }
}

const UNKNOWN_ACTOR: Actor = { kind: 'system', name: 'unknown', role: 'viewer' };

/** The record, or undefined when the hash is empty (unknown or expired id) or not a command. */
export function decodeCommandRecord(h: Record<string, string>): CommandRecord | undefined {
  if (!h.id || !h.station || !h.name || !isCommandName(h.name)) return undefined;
  const record: CommandRecord = {
    id: h.id,
    stationId: h.station,
    name: h.name,
    params: json(h.shown, {}) as CommandRecord['params'],
    actor: json(h.actor, UNKNOWN_ACTOR),
    status: (h.status ?? 'queued') as CommandStatus,
    submittedAt: num(h.submittedAt) ?? 0,
    deadline: num(h.deadline) ?? 0,
    waitForConnection: h.wfc !== '0',
  };
  const sentAt = num(h.sentAt);
  if (sentAt !== undefined) record.sentAt = sentAt;
  const finishedAt = num(h.finishedAt);
  if (finishedAt !== undefined) record.finishedAt = finishedAt;
  if (h.collector) record.collectorId = h.collector;
  if (h.protocol) record.protocol = h.protocol;
  if (h.action) record.action = h.action;
  const result = json<CommandResult | undefined>(h.result, undefined);
  if (result) record.result = result;
  return record;
}

/** The standard results of transitions made inside the scripts, where no adapter is involved. */
export const SCRIPT_RESULTS = {
  offline: (): CommandResult => ({ status: 'offline', reason: 'the station is not connected' }),
  offlineAtDeadline: (): CommandResult => ({ status: 'offline', reason: 'the station did not connect before the deadline' }),
  timeout: (): CommandResult => ({ status: 'timeout', reason: 'the deadline passed before the station was free for this command' }),
  interrupted: (): CommandResult => ({
    status: 'interrupted',
    reason: 'the connection it was sent on closed before the station answered; it may or may not have been carried out and is not sent again',
  }),
} as const;
