/**
 * JSON escapes let a station send "\ud800", which is no Unicode text: written to Redis or InfluxDB as
 * UTF-8 it would become U+FFFD, a value the station never sent. Every adapter refuses it up front.
 */
import fc from 'fast-check';
import { ocpp16Adapter, ocpp201Adapter } from '../../../src/ocpp/adapters';
import { findLoneSurrogate } from '../../../src/ocpp/adapters/common';
import { FakeDecisions, makeContext } from './fake-decisions';

async function outcome(adapter: typeof ocpp16Adapter, action: string, params: unknown): Promise<string> {
  try {
    await adapter.handle(action, params, makeContext(new FakeDecisions()));
    return 'ok';
  } catch (err) {
    return (err as { rpcErrorCode?: string }).rpcErrorCode ?? String(err);
  }
}

// What JSON.parse makes of the escapes a station can put in a frame.
const LONE_HIGH = JSON.parse('"ab\\ud800"') as string;
const LONE_LOW = JSON.parse('"\\udc00cd"') as string;
const REVERSED_PAIR = JSON.parse('"\\ude00\\ud83d"') as string;
const PAIR = JSON.parse('"\\ud83d\\ude00"') as string;

describe('lone surrogates in a station payload', () => {
  it.each([LONE_HIGH, LONE_LOW, REVERSED_PAIR])('1.6 BootNotification with vendor %j → PropertyConstraintViolation', async (vendor) => {
    expect(await outcome(ocpp16Adapter, 'BootNotification', { chargePointVendor: vendor, chargePointModel: 'M' })).toBe('PropertyConstraintViolation');
  });

  it('2.0.1 BootNotification with a nested model → PropertyConstraintViolation', async () => {
    const params = { reason: 'PowerUp', chargingStation: { vendorName: 'V', model: LONE_LOW } };
    expect(await outcome(ocpp201Adapter, 'BootNotification', params)).toBe('PropertyConstraintViolation');
  });

  it('2.0.1 DataTransfer with a lone surrogate in a key of free-form data → PropertyConstraintViolation', async () => {
    const params = { vendorId: 'v', data: { list: [{ [LONE_HIGH]: 1 }] } };
    expect(await outcome(ocpp201Adapter, 'DataTransfer', params)).toBe('PropertyConstraintViolation');
  });

  it('accepts a well-formed surrogate pair (an emoji)', async () => {
    expect(await outcome(ocpp16Adapter, 'BootNotification', { chargePointVendor: `V${PAIR}`, chargePointModel: 'M' })).toBe('ok');
  });

  it('names the field', () => {
    expect(findLoneSurrogate({ a: [{ b: 'x' }, { c: LONE_HIGH }] })).toBe('a[1].c');
    expect(findLoneSurrogate(LONE_LOW)).toBe('');
    expect(findLoneSurrogate({ a: [1, null, true, 'x'] })).toBeUndefined();
  });

  it('finds any lone surrogate anywhere, and never flags well-formed text', () => {
    const surrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
    const text = fc.string({ unit: 'grapheme' });
    fc.assert(
      fc.property(text, text, surrogate, fc.array(fc.constantFrom('a', 'b', 0, 1), { maxLength: 5 }), (before, after, lone, path) => {
        // A single surrogate between well-formed text stays unpaired unless a neighbour completes it.
        const broken = before + lone + after;
        const paired = /[\ud800-\udbff]$/.test(before + lone) && /^[\udc00-\udfff]/.test(after);
        let value: unknown = broken;
        for (const step of path) value = typeof step === 'number' ? [value] : { [step]: value };
        if (!paired && !(lone >= '\udc00' && /[\ud800-\udbff]$/.test(before))) expect(findLoneSurrogate(value)).toBeDefined();
        expect(findLoneSurrogate({ ok: before + after, list: [after] })).toBeUndefined();
      }),
    );
  });
});
