/** How a simulated station registers its CSMS→station handlers: each command is noted in its action log. */
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
