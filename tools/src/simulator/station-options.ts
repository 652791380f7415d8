/** Options, counters and defaults of a simulated station (see station.ts). */
import type { DriverPopulation } from './drivers';
import type { FirmwareFailureRates, FirmwareOutcomeOverride } from './firmware';
import type { LocalListLimits, StopReason } from './model';
import type { StationIdentity } from './profiles';

export interface StationOptions {
  identity: StationIdentity;
  /** Collector base URL, e.g. ws://127.0.0.1:9000/ocpp (the station id is appended). */
  url: string;
  /** Time-scale factor: 10 = ten simulated seconds per real second. Default 1. */
  speed?: number;
  /** Simulated seconds between meter values. Default 60. */
  meterIntervalSec?: number;
  /** Overrides the heartbeat interval the CSMS returns at boot. */
  heartbeatIntervalSec?: number;
  /** Start sessions on their own. Default true; tests turn it off and use forceSession(). */
  autoSessions?: boolean;
  /** Mean idle time between sessions on a connector, simulated seconds. Default 1800. */
  idleMeanSec?: number;
  /** Chance per connector per simulated hour of a fault. Default 0.01. */
  faultProbability?: number;
  /** Chance per station per simulated hour of a network drop. Default 0.02. */
  disconnectProbability?: number;
  /** Share of sessions that deliver no energy. Default 0.05. */
  zeroEnergyProbability?: number;
  /** Id tags drivers present; default a pool derived from the station seed. */
  idTags?: readonly string[];
  /** Drivers with tokens (drivers.ts): sessions then draw a driver, PIN drivers mistype first. Default none (idTags). */
  drivers?: DriverPopulation;
  /** Real-time cap on a BootNotification retry wait when speed > 1, ms. Default 2000. */
  bootRetryCapMs?: number;
  /** Real-time cap on reconnect back-off, ms. Default 30000 (speed 1) or 2000 (speed > 1). */
  reconnectCapMs?: number;
  callTimeoutMs?: number;
  /** Basic-auth password (security profile 1), if the collector wants one. */
  password?: string;
  /** 1.6: behave as a Security Whitepaper station that answers plain UpdateFirmware with CALLERROR NotSupported. */
  signedFirmwareOnly?: boolean;
  /** Probability of each firmware failure mode per update (firmware.ts); drawn from the station seed. Default none. */
  firmwareFailures?: FirmwareFailureRates;
  /** Overrides the seeded draw: one outcome for every update, or a function of the request number (1 = first). */
  firmwareOutcome?: FirmwareOutcomeOverride;
  /** Local authorization list limits; default a list of 1000 entries, 250 per request, 65536 bytes. */
  localList?: Partial<LocalListLimits>;
  /** Wall clock for timestamps (ms). */
  now?: () => number;
}

/** All counters at zero; a station starts with it and the fleet sums into one. */
export function emptyStationStats(): StationStats {
  return {
    messagesSent: 0,
    commandsReceived: 0,
    errors: 0,
    boots: 0,
    connects: 0,
    disconnects: 0,
    sessionsStarted: 0,
    sessionsCompleted: 0,
    energyDeliveredWh: 0,
    faults: 0,
    reboots: 0,
    replayed: 0,
  };
}

export interface StationStats {
  messagesSent: number;
  /** CSMS→station calls answered. */
  commandsReceived: number;
  errors: number;
  boots: number;
  connects: number;
  disconnects: number;
  sessionsStarted: number;
  sessionsCompleted: number;
  energyDeliveredWh: number;
  faults: number;
  reboots: number;
  /** Transaction messages sent after having been queued offline. */
  replayed: number;
}

export type Registration = 'None' | 'Pending' | 'Accepted' | 'Rejected';

export const LOCAL_LIST_DEFAULTS: LocalListLimits = { supported: true, maxLength: 1000, itemsPerMessage: 250, bytesPerMessage: 65536 };

export const DEFAULTS = {
  speed: 1,
  meterIntervalSec: 60,
  idleMeanSec: 1800,
  faultProbability: 0.01,
  disconnectProbability: 0.02,
  zeroEnergyProbability: 0.05,
  bootRetryCapMs: 2000,
};

export interface ForceSessionOptions {
  idTag?: string;
  /** 2.0.1 idToken type of idTag (1.6 sends no type). Default ISO14443. */
  idTokenType?: 'ISO14443' | 'KeyCode';
  /** Wrong PINs tried (Authorize) before idTag. */
  typos?: string[];
  /** Meter ticks of charging (or of SuspendedEV for a zero-energy session). */
  ticks?: number;
  suspendTicks?: number;
  zeroEnergy?: boolean;
  endReason?: StopReason;
  authDelaySec?: number;
}
