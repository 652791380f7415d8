import { BoundedLru } from '../../../src/ocpp/auth/lru';
import { KeyedTokenBucket } from '../../../src/ocpp/auth/token-bucket';
import { FailureTracker } from '../../../src/ocpp/auth/failures';
import { addressKey } from '../../../src/ocpp/auth/guard';

describe('BoundedLru', () => {
  it('never holds more than its capacity and evicts the least recently used', () => {
    const lru = new BoundedLru<string, number>(3);
    lru.set('a', 1).set('b', 2).set('c', 3);
    expect(lru.get('a')).toBe(1); // a is now most recent
    lru.set('d', 4);
    expect(lru.size).toBe(3);
    expect(lru.get('b')).toBeUndefined();
    expect([...lru.entries()].map(([k]) => k)).toEqual(['c', 'a', 'd']);
  });

  it('stays bounded under a flood of distinct keys', () => {
    const lru = new BoundedLru<string, number>(1000);
    for (let i = 0; i < 100_000; i++) lru.set(`k${i}`, i);
    expect(lru.size).toBe(1000);
    expect(lru.get('k99999')).toBe(99999);
    expect(lru.get('k0')).toBeUndefined();
  });

  it('expires entries after the TTL', () => {
    let now = 1000;
    const lru = new BoundedLru<string, number>(10, 500, () => now);
    lru.set('a', 1);
    now += 499;
    expect(lru.get('a')).toBe(1);
    now += 1;
    expect(lru.get('a')).toBeUndefined();
    expect(lru.size).toBe(0);
  });

  it('peek does not change recency', () => {
    const lru = new BoundedLru<string, number>(2);
    lru.set('a', 1).set('b', 2);
    expect(lru.peek('a')).toBe(1);
    lru.set('c', 3);
    expect(lru.peek('a')).toBeUndefined();
  });

  it('refuses a capacity below 1', () => {
    expect(() => new BoundedLru(0)).toThrow(RangeError);
  });
});

describe('KeyedTokenBucket', () => {
  it('allows the burst, then the rate', () => {
    let now = 0;
    const tb = new KeyedTokenBucket(20, 50, 100, () => now);
    let ok = 0;
    for (let i = 0; i < 80; i++) if (tb.take('1.2.3.4')) ok++;
    expect(ok).toBe(50);
    now += 100; // 0.1 s at 20/s = 2 tokens
    expect(tb.take('1.2.3.4')).toBe(true);
    expect(tb.take('1.2.3.4')).toBe(true);
    expect(tb.take('1.2.3.4')).toBe(false);
    now += 10_000;
    ok = 0;
    for (let i = 0; i < 80; i++) if (tb.take('1.2.3.4')) ok++;
    expect(ok).toBe(50); // refilled to the burst, not beyond
  });

  it('keeps addresses apart', () => {
    const tb = new KeyedTokenBucket(1, 2, 100, () => 0);
    expect([tb.take('a'), tb.take('a'), tb.take('a')]).toEqual([true, true, false]);
    expect(tb.take('b')).toBe(true);
  });

  it('tracks a bounded number of addresses', () => {
    const tb = new KeyedTokenBucket(1, 2, 500, () => 0);
    for (let i = 0; i < 20_000; i++) tb.take(`10.0.${i >> 8}.${i & 255}`);
    expect(tb.trackedKeys).toBe(500);
  });
});

describe('FailureTracker', () => {
  it('counts per station and per address, by reason, and ranks them', () => {
    let now = 1000;
    const ft = new FailureTracker(100, () => now);
    ft.record('bad_password', '10.0.0.1', 'CP-1');
    now += 1;
    ft.record('bad_password', '10.0.0.1', 'CP-1');
    ft.record('missing_credentials', '10.0.0.2', 'CP-2');
    ft.record('address_limit', '10.0.0.1');
    expect(ft.forStation('CP-1')).toMatchObject({ count: 2, lastReason: 'bad_password', byReason: { bad_password: 2 }, firstAt: 1000, lastAt: 1001 });
    expect(ft.forAddress('10.0.0.1')).toMatchObject({ count: 3, lastReason: 'address_limit', byReason: { bad_password: 2, address_limit: 1 } });
    expect(ft.top('stations', 10).map((r) => r.key)).toEqual(['CP-1', 'CP-2']);
    expect(ft.top('addresses', 1).map((r) => r.key)).toEqual(['10.0.0.1']);
    expect(ft.totals).toEqual({ bad_password: 2, missing_credentials: 1, address_limit: 1 });
  });

  it('is bounded however many identities and addresses an attacker uses', () => {
    const ft = new FailureTracker(1000);
    for (let i = 0; i < 50_000; i++) ft.record('bad_password', `addr-${i}`, `id-${i}`);
    expect(ft.tracked).toEqual({ stations: 1000, addresses: 1000 });
    expect(ft.totals.bad_password).toBe(50_000);
  });

  it('returns copies, so callers cannot change the counts', () => {
    const ft = new FailureTracker(10);
    ft.record('bad_password', 'a', 'CP');
    ft.forStation('CP')!.byReason.bad_password = 99;
    expect(ft.forStation('CP')!.byReason.bad_password).toBe(1);
  });
});

describe('addressKey', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['::ffff:10.1.2.3', '10.1.2.3'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::9', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    [undefined, 'unknown'],
  ])('%p → %p', (input, expected) => {
    expect(addressKey(input)).toBe(expected);
  });

  it('groups every address of one /64 together', () => {
    expect(addressKey('2001:db8:aa:bb:1::1')).toBe(addressKey('2001:db8:aa:bb:ffff:ffff:ffff:ffff'));
    expect(addressKey('2001:db8:aa:bb::1')).not.toBe(addressKey('2001:db8:aa:bc::1'));
  });
});
