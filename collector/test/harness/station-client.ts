import { RPCClient } from 'ocpp-rpc';

type ClientOptions = ConstructorParameters<typeof RPCClient>[0];

/**
 * An ocpp-rpc station client in strict mode, as a real station would connect. ocpp-rpc's typings
 * mark every option required although the library fills defaults, hence the cast in one place.
 */
export function stationClient(endpoint: string, identity: string, protocol: 'ocpp1.6' | 'ocpp2.0.1', extra: Partial<ClientOptions> = {}): RPCClient {
  return new RPCClient({ endpoint, identity, protocols: [protocol], strictMode: true, reconnect: false, ...extra } as ClientOptions);
}
