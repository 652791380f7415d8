/** How a simulated station registers its CSMS→station handlers (each command is noted in its action log), and what they share. */
import type { RPCClient } from 'ocpp-rpc';
import type { StationContext } from './model';

export type Params = Record<string, any>;

export function commandHandlers(client: RPCClient, st: StationContext) {
  return (action: string, fn: (p: Params) => Params | Promise<Params>) =>
    client.handle(action, async ({ params }) => {
      st.noteCommand(action);
      return fn((params ?? {}) as Params);
    });
}

/** Wall-clock ms of an OCPP date-time, or undefined when absent or unreadable. */
export function dateMs(text: unknown): number | undefined {
  const at = typeof text === 'string' ? Date.parse(text) : Number.NaN;
  return Number.isFinite(at) ? at : undefined;
}
