/**
 * One station identity that records every command it receives, in order, across its connections: it
 * connects (again) to whichever collector URL it is given, as a station does after a failover.
 */
import type { RPCClient } from 'ocpp-rpc';
import type { Json } from './api';
import { stationClient } from './station-client';

export type Protocol = 'ocpp1.6' | 'ocpp2.0.1';

export interface StationRecorder {
  /** Every command received on any connection: the action, `DataTransfer <messageId>` for those. */
  received: string[];
  /** Opens a connection to `url` and boots; `answer` decides each reply on it. */
  connect(url: string, answer: (action: string) => Promise<Json> | Json): Promise<RPCClient>;
}

/** `clients` collects every connection opened, for the test's cleanup. */
export function stationRecorder(id: string, protocol: Protocol, clients: RPCClient[]): StationRecorder {
  const received: string[] = [];
  const connect = async (url: string, answer: (action: string) => Promise<Json> | Json) => {
    const client = stationClient(url, id, protocol);
    clients.push(client);
    client.handle(async ({ method = '', params = {} }: { method?: string; params?: Json }) => {
      received.push(method === 'DataTransfer' ? `DataTransfer ${params.messageId}` : method);
      return answer(method);
    });
    await client.connect();
    const boot = protocol === 'ocpp1.6' ? { chargePointVendor: 'V', chargePointModel: 'M' } : { reason: 'PowerUp', chargingStation: { vendorName: 'V', model: 'M' } };
    await client.call('BootNotification', boot);
    return client;
  };
  return { received, connect };
}
