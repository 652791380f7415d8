/**
 * Audit entries of a command: one when it is submitted (by the submitter) and one when it ends (by the
 * process that ended it: the sending collector, a sweep, or the submitter for a fail-fast `offline`).
 * Parameters are the record's, already redacted (redactCommandParams: token ids masked, no signatures,
 * no secret setting values); results carry status and reason, never the station's data.
 */
import type { CommandRecord } from '@chargewatch/model';
import type { AuditEntry } from '../audit/audit-log';

const action = (r: CommandRecord) => `command.${r.name}`;

export function commandSubmittedEntry(r: CommandRecord): AuditEntry {
  return {
    at: new Date(r.submittedAt),
    actor: r.actor,
    action: action(r),
    target: r.stationId,
    details: {
      commandId: r.id,
      phase: 'submitted',
      params: r.params,
      deadline: new Date(r.deadline).toISOString(),
      waitForConnection: r.waitForConnection,
    },
    result: 'submitted',
  };
}

export function commandEndedEntry(r: CommandRecord): AuditEntry {
  const finishedAt = r.finishedAt ?? r.submittedAt;
  const details: Record<string, unknown> = { commandId: r.id, phase: 'result' };
  if (r.result?.reason) details.reason = r.result.reason;
  if (r.collectorId) details.collectorId = r.collectorId;
  if (r.protocol) details.protocol = r.protocol;
  if (r.action) details.ocppAction = r.action;
  return {
    at: new Date(finishedAt),
    actor: r.actor,
    action: action(r),
    target: r.stationId,
    details,
    result: r.status,
    latencyMs: Math.max(0, finishedAt - r.submittedAt),
  };
}
