/**
 * @chargewatch/tools: development only, never in the production image — the fleet simulator, the local
 * stack (`chargewatch demo`, the end-to-end stage of `npm test`), the services the integration tests
 * start, and their read-back helpers. The benchmark runs as its own entry point (dist/bench/main.js).
 */
export { SIMULATE_HELP, parseSimulateArgs, simulateCommand } from './simulator/cli';
export { Fleet, formatSummary, type FleetOptions, type FleetStats } from './simulator/fleet';
export { SimulatedStation, type StationOptions } from './simulator/station';
export {
  FIRMWARE_FAILURE_MODES,
  pickFirmwareOutcome,
  type FirmwareFailureMode,
  type FirmwareFailureRates,
  type FirmwareOutcome,
  type FirmwareOutcomeOverride,
} from './simulator/firmware';
export { PROFILES, type StationIdentity } from './simulator/profiles';
export {
  DEFAULT_DRIVER_MIX,
  DRIVER_KINDS,
  buildDriverPopulation,
  parseDriverMix,
  type DriverKind,
  type DriverMix,
  type DriverPopulation,
  type DriverPopulationOptions,
  type DriverToken,
} from './simulator/drivers';
export { DEMO_PORTS, demoCommand } from './devstack/demo';
export { startStack, type Stack, type StackOptions } from './devstack/stack';
export { freePort, waitFor } from './devstack/ports';
export { ManagedProcess } from './devstack/process';
export {
  hasBinary,
  startAlertmanager,
  startInfluxDB,
  startPrometheus,
  startRedis,
  type PrometheusOptions,
  type PrometheusService,
  type Service,
} from './devstack/services';
export { eventually, influxQuery, promQuery, setPrometheusTargets, type InfluxSeries, type PromSample } from './harness/queries';
export { createTestDatabase, dropTestDatabase } from './harness/databases';
export { startPostgres, postgresBinDir, type PostgresService } from './devstack/postgres';
