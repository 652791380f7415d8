/** The housekeeping timer: one pass at a time, failures counted and survived, stop waits for a pass. */
import { silentLogger } from '@chargewatch/platform';
import { startPeriodic } from '../../../src/events/periodic';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('startPeriodic', () => {
  it('never runs two passes at once: ticks during a slow pass are skipped', async () => {
    let active = 0;
    let most = 0;
    let passes = 0;
    const job = startPeriodic(5, async () => {
      active++;
      most = Math.max(most, active);
      await sleep(40);
      active--;
      passes++;
    }, () => undefined, silentLogger, 'test');
    await sleep(150);
    await job.stop();
    expect(most).toBe(1);
    expect(passes).toBeGreaterThanOrEqual(2);
    expect(passes).toBeLessThanOrEqual(4);
  });

  it('counts a failing pass and keeps ticking', async () => {
    let errors = 0;
    let calls = 0;
    const job = startPeriodic(5, async () => {
      calls++;
      throw new Error('redis down');
    }, () => errors++, silentLogger, 'test');
    await sleep(60);
    await job.stop();
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(errors).toBe(calls);
  });

  it('stop() waits for the pass in progress and no pass starts afterwards', async () => {
    let finished = false;
    let calls = 0;
    const job = startPeriodic(5, async () => {
      calls++;
      await sleep(50);
      finished = true;
    }, () => undefined, silentLogger, 'test');
    await sleep(15);
    await job.stop();
    expect(finished).toBe(true);
    const after = calls;
    await sleep(30);
    expect(calls).toBe(after);
  });

  it('has no timer when the interval is 0', async () => {
    let calls = 0;
    const job = startPeriodic(0, async () => void calls++, () => undefined, silentLogger, 'test');
    await sleep(20);
    await job.stop();
    expect(calls).toBe(0);
  });
});
