/**
 * Table-driven checks of a command adapter: the call it plans (checked against ocpp-rpc's bundled
 * request schema), and the result it makes of a reply (itself checked against the response schema).
 */
import type { Command, CommandResult } from '@chargewatch/model';
import type { CommandAdapter, CommandCall, StationAnswer } from '../../../src/ocpp/adapters';
import { schemaError } from './ocpp-schemas';

export const CTX = { commandId: '5f0c7a52-8c1e-4c4e-9d55-2f1c3b7c9e01' };

export interface Case {
  title: string;
  command: Command;
  call: CommandCall;
  /** Reply payload (schema-checked) and the result expected from it. */
  answers: Array<{ reply: Record<string, unknown>; result: CommandResult }>;
}

export function checkCase(adapter: CommandAdapter, c: Case): void {
  const plan = adapter.plan(c.command, CTX);
  expect(plan).toEqual(c.call);
  expect(schemaError(adapter.protocol, c.call.action, 'req', c.call.payload)).toBeUndefined();
  for (const a of c.answers) {
    expect(schemaError(adapter.protocol, c.call.action, 'conf', a.reply)).toBeUndefined();
    expect(adapter.interpret(c.command, c.call, { kind: 'result', payload: a.reply })).toEqual(a.result);
  }
}

export function unsupportedReason(adapter: CommandAdapter, command: Command): string | undefined {
  const plan = adapter.plan(command, CTX);
  return 'unsupported' in plan ? plan.unsupported : undefined;
}

export function answer(adapter: CommandAdapter, command: Command, a: Exclude<StationAnswer, { kind: 'result' }>): CommandResult {
  const plan = adapter.plan(command, CTX);
  if ('unsupported' in plan) throw new Error(plan.unsupported);
  return adapter.interpret(command, plan, a);
}
