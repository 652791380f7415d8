/**
 * A refused MeterValues names the sampled value at fault (paths are built only on refusal, so this
 * checks that they still come out right).
 */
import { ocpp16Adapter } from '../../../src/ocpp/adapters';
import { makeContext } from './fake-decisions';

const sv = (value: string, measurand = 'Energy.Active.Import.Register', unit = 'Wh') => ({ value, measurand, unit });

async function refusal(params: unknown): Promise<{ code?: string; message: string; details?: { field?: string } }> {
  try {
    await ocpp16Adapter.handle('MeterValues', params, makeContext(undefined, Date.now()));
  } catch (err) {
    const e = err as { rpcErrorCode?: string; message: string; details?: { field?: string } };
    return { code: e.rpcErrorCode, message: e.message, details: e.details };
  }
  throw new Error('accepted');
}

describe('MeterValues refusals name their field', () => {
  const now = () => new Date().toISOString();
  const params = (meterValue: unknown[]) => ({ connectorId: 1, meterValue });

  it('a reading that is no number', async () => {
    const r = await refusal(params([{ timestamp: now(), sampledValue: [sv('1')] }, { timestamp: now(), sampledValue: [sv('1'), sv('x', 'Voltage', 'V')] }]));
    expect(r.code).toBe('PropertyConstraintViolation');
    expect(r.message).toMatch(/^meterValue\[1\]\.sampledValue\[1\]\.value is not a finite number/);
    expect(r.details?.field).toBe('meterValue[1].sampledValue[1].value');
  });

  it('a negative energy register', async () => {
    const r = await refusal(params([{ timestamp: now(), sampledValue: [sv('230', 'Voltage', 'V'), sv('-2')] }]));
    expect(r.message).toMatch(/^meterValue\[0\]\.sampledValue\[1\] \(Energy\.Active\.Import\.Register\) is a negative energy register/);
  });

  it('a reading that overflows in its base unit', async () => {
    const r = await refusal(params([{ timestamp: now(), sampledValue: [{ value: '1e306', measurand: 'Energy.Active.Import.Register', unit: 'kWh' }] }]));
    expect(r.details?.field).toBe('meterValue[0].sampledValue[0].value');
  });

  it('a timestamp five years old, and one that is no date', async () => {
    const old = await refusal(params([{ timestamp: now(), sampledValue: [sv('1')] }, { timestamp: '2020-03-14T09:56:00Z', sampledValue: [sv('1')] }]));
    expect(old.message).toMatch(/^meterValue\[1\]\.timestamp 2020-03-14T09:56:00Z is more than/);
    const bad = await refusal(params([{ timestamp: 'yesterday', sampledValue: [sv('1')] }]));
    expect(bad.code).toBe('FormatViolation');
    expect(bad.details?.field).toBe('meterValue[0].timestamp');
  });
});
