import { HOUSEKEEPING_JOBS } from '@chargewatch/model';
import { loadConfig } from '../../src/config';
import { applySchedules, housekeepingSchedules } from '../../src/queues/housekeeping';

/** Records what applySchedules asks of the queue. */
function fakeQueue() {
  const calls: string[] = [];
  return {
    calls,
    upsertJobScheduler: jest.fn(async (id: string, repeat: { every?: number }, template?: { name?: string }) => {
      calls.push(`upsert ${id} every ${repeat.every} as ${template?.name}`);
      return undefined as never;
    }),
    removeJobScheduler: jest.fn(async (id: string) => {
      calls.push(`remove ${id}`);
      return true;
    }),
  };
}

describe('housekeeping schedules', () => {
  it('schedules each task at its configured interval, under its job name', async () => {
    const q = fakeQueue();
    await applySchedules(q, housekeepingSchedules(loadConfig({ WORKER_STALE_SWEEP_INTERVAL_SEC: '60', WORKER_REGISTRY_PRUNE_INTERVAL_SEC: '900' })));
    expect(q.calls).toEqual([
      `upsert ${HOUSEKEEPING_JOBS.staleTransactionSweep} every 60000 as ${HOUSEKEEPING_JOBS.staleTransactionSweep}`,
      `upsert ${HOUSEKEEPING_JOBS.registryPrune} every 900000 as ${HOUSEKEEPING_JOBS.registryPrune}`,
      `remove ${HOUSEKEEPING_JOBS.firmwareTimeouts}`,
    ]);
  });

  it('removes the scheduler of a task switched off (interval 0), so an earlier start does not keep it running', async () => {
    const q = fakeQueue();
    await applySchedules(q, housekeepingSchedules(loadConfig({ WORKER_STALE_SWEEP_INTERVAL_SEC: '0' })));
    expect(q.calls).toEqual([
      `remove ${HOUSEKEEPING_JOBS.staleTransactionSweep}`,
      `upsert ${HOUSEKEEPING_JOBS.registryPrune} every 600000 as ${HOUSEKEEPING_JOBS.registryPrune}`,
      `remove ${HOUSEKEEPING_JOBS.firmwareTimeouts}`,
    ]);
  });

  it('schedules firmware timeouts only with a database', () => {
    const on = housekeepingSchedules(loadConfig({ DATABASE_URL: 'postgres://db/cw', WORKER_FIRMWARE_TIMEOUTS_INTERVAL_SEC: '30' }));
    expect(on.find((x) => x.name === HOUSEKEEPING_JOBS.firmwareTimeouts)?.everyMs).toBe(30_000);
    expect(housekeepingSchedules(loadConfig({})).find((x) => x.name === HOUSEKEEPING_JOBS.firmwareTimeouts)?.everyMs).toBe(0);
  });

  it('does not schedule the prune when REGISTRY_PRUNE_UNBOOTED_AFTER_SEC=0 turns pruning off', () => {
    const s = housekeepingSchedules(loadConfig({ REGISTRY_PRUNE_UNBOOTED_AFTER_SEC: '0' }));
    expect(s.find((x) => x.name === HOUSEKEEPING_JOBS.registryPrune)?.everyMs).toBe(0);
  });
});
