/** @chargewatch/collector: the OCPP process (what `chargewatch collector` runs). */
export { startCollector, type CollectorHandle, type CollectorOptions } from './collector';
export { ConfigError, SETTINGS, loadConfig, type CollectorConfig, type Setting, type UnknownStationPolicy } from './config';
export type { Authorizer } from './access/authorizer';
export { collectorProcessConfig, collectorProcessIndex, superviseCollectorProcesses } from './cluster';
