/**
 * Command adapters: per OCPP version, a command becomes one call (action + payload) and the station's
 * answer becomes the model's CommandResult. Like the message adapters they are pure translators; the
 * executor (collector/src/commands) sends and stores.
 */
import type { Command, CommandName, CommandParams, CommandResult } from '@chargewatch/model';
import type { OcppProtocol } from '../types';

export interface CommandCall {
  action: string;
  payload: Record<string, unknown>;
}

/** A form the version cannot express: answered `not_supported` without anything being sent. */
export interface Unsupported {
  unsupported: string;
}

export type CommandPlan = CommandCall | Unsupported;

export interface CommandContext {
  /** Seeds ids the station needs and the caller did not give (2.0.1 remoteStartId, requestId). */
  commandId: string;
}

/** What came back for a call that went out. */
export type StationAnswer =
  | { kind: 'result'; payload: unknown }
  | { kind: 'error'; code: string; description: string }
  | { kind: 'timeout'; afterMs: number }
  /** A CALLRESULT that breaks the version's response schema. */
  | { kind: 'invalid'; message: string };

/** One command in one version. `reply` has passed the version's response schema. */
export interface CommandMapper<N extends CommandName> {
  plan(params: CommandParams[N], ctx: CommandContext): CommandPlan;
  interpret(params: CommandParams[N], call: CommandCall, reply: any): CommandResult;
  /** A CALLERROR that means more for this command than the generic mapping says. */
  onCallError?(params: CommandParams[N], call: CommandCall, code: string, description: string): CommandResult | undefined;
}

/** Every command, for one version: a missing one is a compile error. */
export type CommandMappers = { [N in CommandName]: CommandMapper<N> };

export interface CommandAdapter {
  readonly protocol: OcppProtocol;
  plan(command: Command, ctx: CommandContext): CommandPlan;
  interpret(command: Command, call: CommandCall, answer: StationAnswer): CommandResult;
}
