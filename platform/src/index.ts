/**
 * @chargewatch/platform: the runtime shared by the processes of the stack — logging, the Redis station
 * state, the event journal, the InfluxDB writer/sink and the PostgreSQL store of business records. Imports only @chargewatch/model of ours.
 */
export * from './logger';
export * from './state/station-store';
export * from './state/transaction-queries';
export * from './state/stale-transactions';
export { activityMember, type GlobalTxKeys, type StationTxKeys } from './state/transaction-records';
export * from './journal/redis-journal';
export * from './journal/journal-consumer';
export * from './journal/journal-metrics';
export * from './sinks/influx/writer';
export * from './sinks/influx/deferred-writer';
export * from './sinks/influx/database';
export * from './sinks/influx/points';
export * from './sinks/influx/sink';
export * from './sinks/influx/influx-settings';
export * from './sinks/influx/journal-handler';
export * from './sinks/influx/influx-journal-writer';
export * from './sinks/influx/example-queries';
export * from './audit/audit-log';
export * from './audit/log-audit-log';
export * from './audit/pg-audit-log';
export * from './store/database';
export * from './store/migrate';
export * from './commands/command-validation';
export * from './commands/command-record';
export * from './commands/command-bus';
export * from './commands/command-queue';
export * from './commands/command-audit';
export * from './sinks/influx/line-protocol';
export * from './journal/dead-letters';
export * from './sinks/influx/settle';
export * from './sinks/influx/write-errors';
export * from './state/scheduled-sweep';
export * from './firmware/firmware-validation';
export * from './firmware/firmware-catalogue';
export * from './firmware/firmware-updates';
export * from './firmware/firmware-history';
export * from './firmware/firmware-command';
export * from './firmware/start-firmware-update';
export * from './firmware/firmware-tracker';
export * from './firmware/firmware-timeouts';
export * from './firmware/firmware-inventory';
export * from './campaigns/campaign-store';
export * from './access';
export * from './local-lists';
