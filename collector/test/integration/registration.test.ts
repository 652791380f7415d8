/** Unknown-station policy, operator approval, and 1.6 transaction ids that survive restarts. */
import { stationClient } from '../harness/station-client';
import { startTestCollector } from '../harness/collector';

function client(url: string, identity: string) {
  return stationClient(url, identity, 'ocpp1.6');
}

describe('station registration', () => {
  it('holds unknown stations Pending until an operator accepts them', async () => {
    const collector = await startTestCollector({ UNKNOWN_STATIONS: 'pending' });
    try {
      const cp = client(collector.ocppUrl, 'NEWBIE-1');
      await cp.connect();
      const first = (await cp.call('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' })) as { status: string; interval: number };
      expect(first).toMatchObject({ status: 'Pending', interval: 60 });
      const listed = (await (await collector.api('/api/v1/stations/NEWBIE-1')).json()) as { registration: string };
      expect(listed.registration).toBe('Pending');
      const approve = await collector.api('/api/v1/stations/NEWBIE-1/registration', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'Accepted' }) });
      expect(approve.status).toBe(200);
      const second = (await cp.call('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' })) as { status: string };
      expect(second.status).toBe('Accepted');
      await cp.close();
    } finally {
      await collector.stop();
    }
  });

  it('rejects unknown stations under the reject policy and refuses their other calls', async () => {
    const collector = await startTestCollector({ UNKNOWN_STATIONS: 'reject' });
    try {
      const cp = client(collector.ocppUrl, 'STRANGER-1');
      await cp.connect();
      expect(await cp.call('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' })).toMatchObject({ status: 'Rejected' });
      await expect(cp.call('Heartbeat', {})).rejects.toMatchObject({ rpcErrorCode: 'SecurityError' });
      await cp.close();
    } finally {
      await collector.stop();
    }
  });

  it('never reuses a 1.6 transaction id across collector restarts', async () => {
    const first = await startTestCollector();
    const env = { REDIS_PREFIX: first.config.redis.prefix, INFLUX_DATABASE: first.database, COLLECTOR_ID: first.config.collectorId };
    const start = async (url: string) => {
      const cp = client(url, 'TXID-1');
      await cp.connect();
      await cp.call('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' });
      const { transactionId } = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'T', meterStart: 0, timestamp: new Date().toISOString() })) as { transactionId: number };
      await cp.close();
      return transactionId;
    };
    const a = await start(first.ocppUrl);
    await first.stop();
    const second = await startTestCollector(env);
    try {
      const b = await start(second.ocppUrl);
      expect(b).toBeGreaterThan(a);
      // The restarted collector knows the station, shows it offline after the close, and kept its boot info.
      const s = (await (await second.api('/api/v1/stations/TXID-1')).json()) as Record<string, unknown>;
      expect(s).toMatchObject({ online: false, vendor: 'V', activeTransactions: 2 });
    } finally {
      await second.stop();
    }
  });
});
