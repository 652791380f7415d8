import {
  BusyError,
  ConcurrencyLimiter,
  PasswordPolicyError,
  SCRYPT_DEFAULTS,
  hashPassword,
  parseHash,
  validatePassword,
  verifyPassword,
} from '../../../src/ocpp/auth/passwords';

const GOOD = 'Sixteen-chars-ok';

describe('password hashing', () => {
  it('stores scrypt$N$r$p$salt$hash with the default cost (N >= 2^14) and a random salt', async () => {
    const a = await hashPassword(GOOD);
    const b = await hashPassword(GOOD);
    expect(a).toMatch(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    const p = parseHash(a)!;
    expect(p.N).toBe(SCRYPT_DEFAULTS.N);
    expect(p.N).toBeGreaterThanOrEqual(2 ** 14);
    expect(p.salt).toHaveLength(16);
    expect(p.key).toHaveLength(32);
    expect(a).not.toBe(b);
    expect(a).not.toContain(GOOD);
    expect(a).not.toContain(Buffer.from(GOOD).toString('base64'));
  });

  it('verifies the right password and refuses others', async () => {
    const h = await hashPassword(GOOD, { N: 1024 });
    await expect(verifyPassword(GOOD, h)).resolves.toBe(true);
    await expect(verifyPassword(Buffer.from(GOOD), h)).resolves.toBe(true);
    await expect(verifyPassword('Sixteen-chars-oK', h)).resolves.toBe(false);
    await expect(verifyPassword(GOOD + 'x', h)).resolves.toBe(false);
    await expect(verifyPassword('', h)).resolves.toBe(false);
  });

  it('verifies with the parameters stored in the hash, not the current defaults', async () => {
    const h = await hashPassword(GOOD, { N: 2048, r: 4, p: 2 });
    expect(parseHash(h)).toMatchObject({ N: 2048, r: 4, p: 2 });
    await expect(verifyPassword(GOOD, h)).resolves.toBe(true);
  });

  it.each([
    '',
    'plain',
    'scrypt$1024$8$1$c2FsdA==',
    'bcrypt$1024$8$1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5',
    'scrypt$1000$8$1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5', // N not a power of two
    'scrypt$4194304$8$1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5', // N too large (memory)
    'scrypt$1024$999$1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5',
    'scrypt$1024$8$1$c2Fs$a2V5a2V5a2V5a2V5a2V5a2V5', // salt too short
  ])('refuses an unusable stored hash %p without throwing', async (stored) => {
    expect(parseHash(stored)).toBeUndefined();
    await expect(verifyPassword(GOOD, stored)).resolves.toBe(false);
  });
});

describe('password policy (OCPP: 16 to 40 characters)', () => {
  it.each([16, 17, 39, 40])('accepts %d characters', (n) => {
    expect(validatePassword('a'.repeat(n))).toHaveLength(n);
  });

  it.each([0, 1, 15, 41, 100])('refuses %d characters and says why', (n) => {
    expect(() => validatePassword('a'.repeat(n))).toThrow(PasswordPolicyError);
    expect(() => validatePassword('a'.repeat(n))).toThrow(/16 to 40/);
  });

  it.each(['with space 123456', 'tab\there-1234567', 'ümlaut-123456789', 'nul\u0000-1234567890'])('refuses non-printable or non-ASCII %p', (pw) => {
    expect(() => validatePassword(pw)).toThrow(PasswordPolicyError);
  });

  it('refuses non-strings', () => {
    expect(() => validatePassword(1234567890123456)).toThrow(PasswordPolicyError);
    expect(() => validatePassword(undefined)).toThrow(PasswordPolicyError);
  });
});

describe('ConcurrencyLimiter', () => {
  const deferred = () => {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  };

  it('never runs more than `concurrency` tasks and hands slots over in order', async () => {
    const lim = new ConcurrencyLimiter(2, 10);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const gates = Array.from({ length: 6 }, deferred);
    const tasks = gates.map((g, i) =>
      lim.run(async () => {
        running++;
        peak = Math.max(peak, running);
        order.push(i);
        await g.promise;
        running--;
      }),
    );
    for (const g of gates) {
      await new Promise((r) => setImmediate(r));
      g.resolve();
      // A newcomer arriving while a slot is being handed over must queue, not jump the limit.
      void lim.run(async () => {
        running++;
        peak = Math.max(peak, running);
        running--;
      });
    }
    await Promise.all(tasks);
    expect(peak).toBeLessThanOrEqual(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('refuses with BusyError when the queue is full instead of growing it', async () => {
    const lim = new ConcurrencyLimiter(1, 2);
    const gate = deferred();
    const first = lim.run(() => gate.promise);
    const queued = [lim.run(async () => 1), lim.run(async () => 2)];
    await expect(lim.run(async () => 3)).rejects.toBeInstanceOf(BusyError);
    expect(lim.queued).toBe(2);
    gate.resolve();
    await first;
    await expect(Promise.all(queued)).resolves.toEqual([1, 2]);
    expect(lim.active).toBe(0);
  });

  it('drops a waiting task whose signal aborts', async () => {
    const lim = new ConcurrencyLimiter(1, 5);
    const gate = deferred();
    const first = lim.run(() => gate.promise);
    const ac = new AbortController();
    const ran = jest.fn(async () => undefined);
    const waiting = lim.run(ran, ac.signal);
    ac.abort(new Error('client left'));
    await expect(waiting).rejects.toThrow('client left');
    expect(lim.queued).toBe(0);
    gate.resolve();
    await first;
    expect(ran).not.toHaveBeenCalled();
    expect(lim.active).toBe(0);
  });
});
