/**
 * Keeps `chargewatch_sessions_active` true across collectors: every interval, the open transactions of
 * the stations this collector has series for are read from the shared state, counted here only while
 * this collector owns the station. Events keep the count current in between; this corrects what events
 * here cannot show — a session that moved to or ended on another collector, or a close by a sweep
 * elsewhere. Summed over collectors, each open transaction then counts once.
 */
import type { TransactionQueries } from '@chargewatch/platform';
import type { FleetMetricsSink } from './fleet-sink';

/** Stations read per pipeline round trip. */
const BATCH = 1000;

export class OpenTransactionReconciler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly fleet: FleetMetricsSink,
    private readonly transactions: Pick<TransactionQueries, 'ownership'>,
    private readonly collectorId: string,
    private readonly onError: (err: unknown) => void,
  ) {}

  async reconcile(): Promise<void> {
    const ids = this.fleet.trackedStations();
    for (let i = 0; i < ids.length; i += BATCH) {
      const batch = ids.slice(i, i + BATCH);
      const generations = batch.map((id) => this.fleet.transactionGeneration(id));
      const ownership = await this.transactions.ownership(batch);
      batch.forEach((id, j) => {
        const own = ownership.get(id);
        const mine = own?.owner === this.collectorId ? own.transactionIds : [];
        this.fleet.syncOpenTransactions(id, mine, generations[j]!);
      });
    }
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => {
      this.running ??= this.reconcile()
        .catch(this.onError)
        .finally(() => (this.running = undefined));
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
