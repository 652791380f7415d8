import type { ProtocolAdapter } from './types';
import { ocpp16Adapter } from './v16';
import { ocpp201Adapter } from './v201';

export { ocpp16Adapter } from './v16';
export { ocpp201Adapter } from './v201';
export type * from './types';

const ADAPTERS: ReadonlyMap<string, ProtocolAdapter> = new Map(
  [ocpp16Adapter, ocpp201Adapter].map((adapter) => [adapter.protocol, adapter]),
);

/** The adapter for a negotiated WebSocket subprotocol, or undefined when we do not speak it. */
export function adapterFor(protocol: string): ProtocolAdapter | undefined {
  return ADAPTERS.get(protocol);
}
