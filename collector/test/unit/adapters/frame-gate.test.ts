import fc from 'fast-check';
import { MAX_JSON_DEPTH, inspectFrame, messageIdOf, nestsDeeperThan, refusalFrame } from '../../../src/ocpp/frame-gate';

describe('the frame gate', () => {
  it('measures nesting like JSON does, brackets inside strings not counted (property)', () => {
    const depthOf = (v: unknown): number => (v !== null && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v).map(depthOf)) : 0);
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 12 }), fc.integer({ min: 1, max: 12 }), (v, max) => {
        const text = JSON.stringify(v);
        expect(nestsDeeperThan(text, max)).toBe(depthOf(v) > max);
      }),
      { seed: 11, numRuns: 2000 },
    );
    expect(nestsDeeperThan('["[[[[[[", {"a":"}}}\\"[["}]', 2)).toBe(false);
  });

  it('refuses a call nested deeper than the limit with FormatViolation and its own id', () => {
    const deep = `[2,"d-1","DataTransfer",{"vendorId":"x","data":${'['.repeat(MAX_JSON_DEPTH)}1${']'.repeat(MAX_JSON_DEPTH)}}]`;
    const r = inspectFrame(deep)!;
    expect(r).toMatchObject({ rawId: 'd-1', code: 'FormatViolation', reason: 'too_deep', answer: true });
    expect(JSON.parse(refusalFrame(r))).toEqual([4, 'd-1', 'FormatViolation', expect.stringContaining('nested'), {}]);
    expect(inspectFrame(`[2,"ok","DataTransfer",{"vendorId":"x","data":${'['.repeat(20)}1${']'.repeat(20)}}]`)).toBeUndefined();
  });

  it('refuses message ids over 36 characters, counting code points, and only answers calls', () => {
    expect(inspectFrame(`[2,"${'a'.repeat(36)}","Heartbeat",{}]`)).toBeUndefined();
    expect(inspectFrame(`[2,"${'😀'.repeat(36)}","Heartbeat",{}]`)).toBeUndefined();
    expect(inspectFrame(`[2,"${'a'.repeat(37)}","Heartbeat",{}]`)).toMatchObject({ code: 'RpcFrameworkError', reason: 'long_message_id', answer: true });
    expect(inspectFrame(`[3,"${'a'.repeat(37)}",{}]`)).toMatchObject({ answer: false });
  });

  it('keeps the id token exactly as written, escapes included', () => {
    expect(messageIdOf('[2,"\\u00e9\\"x","Heartbeat",{}]')).toEqual({ type: 2, raw: '\\u00e9\\"x', value: 'é"x' });
    const r = inspectFrame(`[2,"\\u00e9","DataTransfer",${'['.repeat(40)}${']'.repeat(40)}]`)!;
    expect(refusalFrame(r).startsWith('[4,"\\u00e9",')).toBe(true);
    expect(messageIdOf('{"a":1}')).toBeUndefined();
  });
});
