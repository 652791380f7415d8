import type { ProtocolAdapter } from './types';
import type { CommandAdapter } from './commands/types';
import { ocpp16Commands } from './commands/v16';
import { ocpp201Commands } from './commands/v201';
import { ocpp16Adapter } from './v16';
import { ocpp201Adapter } from './v201';

export { ocpp16Adapter } from './v16';
export { ocpp201Adapter } from './v201';
export type * from './types';
export { DEFAULT_ID_LIMITS, ID_LIMIT_FIELDS, type IdLimitField, type IdLimits } from './id-limits';
export type * from './commands/types';
export { isUnsupported } from './commands/common';

const ADAPTERS: ReadonlyMap<string, ProtocolAdapter> = new Map(
  [ocpp16Adapter, ocpp201Adapter].map((adapter) => [adapter.protocol, adapter]),
);

/** The adapter for a negotiated WebSocket subprotocol, or undefined when we do not speak it. */
export function adapterFor(protocol: string): ProtocolAdapter | undefined {
  return ADAPTERS.get(protocol);
}

const COMMAND_ADAPTERS: ReadonlyMap<string, CommandAdapter> = new Map([ocpp16Commands, ocpp201Commands].map((adapter) => [adapter.protocol, adapter]));

/** The command adapter for a negotiated subprotocol: how commands are said in that version. */
export function commandAdapterFor(protocol: string): CommandAdapter | undefined {
  return COMMAND_ADAPTERS.get(protocol);
}
