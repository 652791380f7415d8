import { FIRMWARE_JOBS, HOUSEKEEPING_JOBS, QUEUES, bullPrefix } from '../../src/queues';

describe('bullPrefix', () => {
  it('puts BullMQ keys under the deployment prefix without doubling its colon', () => {
    expect(bullPrefix('cw:')).toBe('cw:bull');
    expect(bullPrefix('prod')).toBe('prod:bull');
    expect(bullPrefix('')).toBe('bull');
  });

  it('keeps two deployments sharing one Redis on separate queues', () => {
    expect(bullPrefix('a:')).not.toBe(bullPrefix('b:'));
  });
});

describe('queue and job names', () => {
  it('are distinct and contain no colon (BullMQ joins keys with it)', () => {
    const names = [...Object.values(QUEUES), ...Object.values(HOUSEKEEPING_JOBS), ...Object.values(FIRMWARE_JOBS)];
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).not.toContain(':');
  });
});
