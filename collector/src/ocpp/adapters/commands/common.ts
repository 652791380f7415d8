/** Plumbing shared by the command adapters of both versions; nothing here knows a specific version. */
import type { Command, CommandResult, SettingRef } from '@chargewatch/model';
import { withoutUndefined } from '../common';
import type { OcppProtocol } from '../types';
import type { CommandAdapter, CommandCall, CommandMapper, CommandMappers, StationAnswer, Unsupported } from './types';

export const unsupported = (reason: string): Unsupported => ({ unsupported: reason });

/** EVSE 0 (or none) is the station as a whole, in both versions. */
export const stationHasNoConnector = unsupported('EVSE 0 is the station as a whole; it has no connector to address');

export function isUnsupported<T>(value: T | Unsupported): value is Unsupported {
  return typeof value === 'object' && value !== null && 'unsupported' in value;
}

/** A call with absent optional fields left out, as the schemas and stations expect. */
export function call(action: string, payload: Record<string, unknown>): CommandCall {
  return { action, payload: withoutUndefined(payload) };
}

/** Station text (CALLERROR descriptions, statusInfo) is untrusted: kept short in results and logs. */
const clip = (text: string, max = 512) => (text.length > max ? `${text.slice(0, max)}…` : text);

/**
 * A positive int32 derived from the command id, for ids the station needs (2.0.1 remoteStartId, firmware
 * and log requestIds) when the caller gave none: the same command always gets the same id (FNV-1a).
 */
export function derivedId(commandId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < commandId.length; i++) {
    h ^= commandId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return ((h >>> 0) & 0x7fffffff) || 1;
}

interface StatusInfo {
  reasonCode: string;
  additionalInfo?: string;
}

function answered(status: string, info?: StatusInfo): string {
  if (!info) return `station answered ${status}`;
  return `station answered ${status} (${clip(info.reasonCode, 20)}${info.additionalInfo ? `: ${clip(info.additionalInfo)}` : ''})`;
}

export interface StatusMapping {
  /** Statuses that mean the station will do it. */
  accepted: readonly string[];
  /** Statuses that mean it cannot (e.g. NotImplemented, NotSupported). */
  notSupported?: readonly string[];
  /** Extra data for an accepted status, e.g. `{ Scheduled: { scheduled: true } }`. */
  flags?: Readonly<Record<string, Record<string, unknown>>>;
  data?: Record<string, unknown>;
}

/** The result of a reply carrying `status` (and, in 2.0.1, `statusInfo`). */
export function byStatus(reply: { status: string; statusInfo?: StatusInfo }, m: StatusMapping): CommandResult {
  const { status, statusInfo } = reply;
  if (m.accepted.includes(status)) {
    const data = withoutUndefined({ ...m.data, ...m.flags?.[status] });
    return Object.keys(data).length ? { status: 'accepted', data } : { status: 'accepted' };
  }
  return { status: m.notSupported?.includes(status) ? 'not_supported' : 'rejected', reason: answered(status, statusInfo) };
}

const NOT_SUPPORTED_CODES = new Set(['NotSupported', 'NotImplemented']);

/** CALLERROR, timeout and schema-breaking answers mean the same in every version. */
export function answerResult(answer: Exclude<StationAnswer, { kind: 'result' }>): CommandResult {
  switch (answer.kind) {
    case 'error': {
      const description = clip(answer.description);
      return {
        status: NOT_SUPPORTED_CODES.has(answer.code) ? 'not_supported' : 'call_error',
        reason: `station answered CALLERROR ${clip(answer.code, 40)}${description ? `: ${description}` : ''}`,
        data: { code: clip(answer.code, 40), description },
      };
    }
    case 'timeout':
      return { status: 'timeout', reason: `no answer within ${Math.round(answer.afterMs / 1000)} s` };
    case 'invalid':
      return { status: 'call_error', reason: `the station's answer breaks the OCPP schema: ${clip(answer.message)}`, data: { code: 'InvalidAnswer', description: clip(answer.message) } };
  }
}

export type SettingItemStatus = 'accepted' | 'rejected' | 'unknown' | 'not_supported' | 'reboot_required';

/** The two forms of a setting reference; a command carries one form per version. */
export const isKeyRef = (s: SettingRef): s is { key: string } => 'key' in s;

export function createCommandAdapter(protocol: OcppProtocol, mappers: CommandMappers): CommandAdapter {
  const mapperOf = (command: Command) => mappers[command.name] as CommandMapper<Command['name']>;
  return {
    protocol,
    plan: (command, ctx) => mapperOf(command).plan(command.params as never, ctx),
    interpret(command, sent, answer) {
      const mapper = mapperOf(command);
      if (answer.kind === 'result') return mapper.interpret(command.params as never, sent, answer.payload);
      if (answer.kind === 'error') {
        const special = mapper.onCallError?.(command.params as never, sent, answer.code, answer.description);
        if (special) return special;
      }
      return answerResult(answer);
    },
  };
}
