/** @chargewatch/worker: `chargewatch worker`, the BullMQ queues, processors and schedulers. */
export { ConfigError, SETTINGS, loadConfig, type WorkerConfig } from './config';
export { startWorker, type WorkerHandle, type WorkerOptions } from './worker';
export { WorkerMetrics } from './metrics';
