import { ACCESS_JOBS, FIRMWARE_JOBS, HOUSEKEEPING_JOBS, QUEUES, bullPrefix, localListJobId } from '../../src/queues';

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
    const names = [...Object.values(QUEUES), ...Object.values(HOUSEKEEPING_JOBS), ...Object.values(FIRMWARE_JOBS), ...Object.values(ACCESS_JOBS)];
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).not.toContain(':');
  });
});

describe('localListJobId', () => {
  it('is one id per station, without a colon, whatever the station id holds', () => {
    const ids = ['CP-1', 'cp-1', 'a:b', 'a/b', 'ü€', ''].map(localListJobId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).not.toContain(':');
    expect(localListJobId('CP-1')).toBe(localListJobId('CP-1'));
  });
});
