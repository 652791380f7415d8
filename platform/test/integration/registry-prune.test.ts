/**
 * StationStore.pruneUnbooted against real Redis: which never-booted entries go, and that everything an
 * operator or a live station leaves on an entry keeps it.
 */
import type { ChargeEvent } from '@chargewatch/model';
import { RedisKeys } from '@chargewatch/model';
import { StationStore } from '../../src/state/station-store';
import { redisPerTest } from './redis-per-test';

const T0 = 1_700_000_000_000;
const HOUR = 3600_000;
const ctx = redisPerTest('prune');

function events(stationId: string, t: number, boot = false): ChargeEvent[] {
  const at = { stationId, time: T0 + t, receivedAt: T0 + t };
  const out: ChargeEvent[] = [{ ...at, type: 'connection.opened', remoteAddress: '10.0.0.1', protocol: 'ocpp1.6', collectorId: 'c1', replaced: false }];
  if (boot) out.push({ ...at, type: 'station.booted', vendor: 'V', model: 'M', registration: 'Accepted' });
  out.push({ ...at, type: 'connector.status', evseId: 1, connectorId: 1, status: 'Available', errorCode: 'NoError' });
  return out;
}

describe('StationStore.pruneUnbooted', () => {
  it('removes old never-booted entries and keeps every entry someone cares about', async () => {
    const { redis, prefix } = ctx;
    const store = new StationStore(redis, prefix);
    const keys = new RedisKeys(prefix);
    const securityKey = (id: string) => `${prefix}station:${id}:security`;
    const leave = (id: string, t: number) => store.apply([{ stationId: id, time: T0 + t, receivedAt: T0 + t, type: 'connection.closed', code: 1000, reason: '', collectorId: 'c1' }]);
    for (const id of ['GHOST', 'BOOTED', 'META', 'SECURED', 'REGISTERED', 'QUEUED', 'CHARGING', 'ONLINE', 'RECENT']) {
      await store.apply(events(id, id === 'RECENT' ? 5 * HOUR : 0, id === 'BOOTED'));
      if (id !== 'ONLINE') await leave(id, id === 'RECENT' ? 5 * HOUR : 1);
    }
    await store.setMetadata('META', { site: 'depot' });
    await redis.hset(securityKey('SECURED'), { profile: '1' });
    await store.setRegistration('REGISTERED', 'Rejected');
    await redis.rpush(keys.commandQueue('QUEUED'), 'cmd-1');
    await store.apply([{ stationId: 'CHARGING', time: T0 + 2, receivedAt: T0 + 2, type: 'transaction.started', evseId: 1, connectorId: 1, transactionId: 'tx-1', offline: false }]);

    const seenBefore = T0 + 2 * HOUR;
    expect(await store.pruneUnbooted({ seenBefore, securityKey })).toEqual(['GHOST']);
    expect(await store.exists('GHOST')).toBe(false);
    expect(await redis.keys(`${prefix}*GHOST*`)).toEqual([]);
    expect((await store.listIds()).sort()).toEqual(['BOOTED', 'CHARGING', 'META', 'ONLINE', 'QUEUED', 'RECENT', 'REGISTERED', 'SECURED']);
    expect((await store.get('RECENT'))?.connectors).toHaveLength(1);
    // A second pass finds nothing more; a later cutoff takes the recent one too.
    expect(await store.pruneUnbooted({ seenBefore, securityKey })).toEqual([]);
    expect(await store.pruneUnbooted({ seenBefore: T0 + 6 * HOUR, securityKey })).toEqual(['RECENT']);
  });
});
