/**
 * Local-list metrics of the worker: stations by sync state (read from PostgreSQL after each scan, the
 * same in every worker: use `max`) and the outcomes of this worker's syncs. Labels are fixed sets.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { LOCAL_LIST_STATES, type LocalListState } from '@chargewatch/model';

export class LocalListMetrics {
  readonly stations: Gauge<'state'>;
  readonly syncs: Counter<'kind' | 'outcome'>;

  constructor(registry: Registry) {
    this.stations = new Gauge({
      name: 'chargewatch_local_list_stations',
      help: 'Stations by local authorization list sync state (in_sync, pending, failed, unsupported)',
      labelNames: ['state'],
      registers: [registry],
    });
    this.syncs = new Counter({
      name: 'chargewatch_local_list_syncs_total',
      help: 'Local-list steps this worker ran, by kind (full, differential, check, limits) and outcome',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    });
  }

  setCounts(counts: Record<LocalListState, number>): void {
    for (const state of LOCAL_LIST_STATES) this.stations.set({ state }, counts[state]);
  }
}
