/**
 * New station identities per address per minute. A connection alone registers a station (Redis,
 * InfluxDB, Prometheus), so with `UNKNOWN_STATIONS=accept` one address could mint identities as fast
 * as it can connect. Identities the registry or a security record already knows pass freely; each
 * unknown one takes a token from its address's bucket (`perMinute` tokens per minute, burst the same).
 *
 * Known identities are remembered for a while, so a reconnect storm of a known fleet costs one Redis
 * read per identity, not one per attempt.
 */
import { BoundedLru } from './lru';
import { KeyedTokenBucket } from './token-bucket';

const KNOWN_TTL_MS = 10 * 60 * 1000;

export class NewIdentityLimit {
  private readonly known: BoundedLru<string, true>;
  private readonly bucket: KeyedTokenBucket;

  constructor(
    readonly perMinute: number,
    private readonly isKnown: (identity: string) => Promise<boolean>,
    now: () => number = Date.now,
  ) {
    this.bucket = new KeyedTokenBucket(perMinute / 60, Math.max(1, perMinute), 50_000, now);
    this.known = new BoundedLru(50_000, KNOWN_TTL_MS, now);
  }

  /** true when the identity is known or its address may still add one; throws when Redis cannot say. */
  async admit(identity: string, address: string): Promise<boolean> {
    if (this.known.get(identity)) return true;
    if (await this.isKnown(identity)) {
      this.known.set(identity, true);
      return true;
    }
    if (!this.bucket.take(address)) return false;
    // It is registered as soon as it connects: from then on it is a known station.
    this.known.set(identity, true);
    return true;
  }

  /** A pruned identity is new again. */
  forget(identity: string): void {
    this.known.delete(identity);
  }
}
