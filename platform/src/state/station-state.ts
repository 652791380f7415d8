/**
 * A station's state as the API and the other processes read it, and how it is decoded from the Redis
 * hashes the station store writes (keys listed in station-store.ts).
 */
import type { ConnectorProblem, ConnectorStatus, OpenTransaction } from '@chargewatch/model';

export interface ConnectorState {
  evseId: number;
  connectorId: number;
  status: ConnectorStatus;
  errorCode: string;
  vendorErrorCode?: string;
  info?: string;
  /** Epoch ms of the last status change (not of the last notification). */
  since: number;
  transactionId?: string;
  /** Open 2.0.1 problems by source (model/src/problems.ts); absent when none. */
  problems?: Record<string, ConnectorProblem>;
}

export interface StationMetadata {
  site?: string;
  address?: string;
  latitude?: number;
  longitude?: number;
  operatingHours?: string;
  /** IANA time zone of the site (`Europe/Berlin`): maintenance windows and allowed hours are local. */
  timeZone?: string;
  tags?: Record<string, string>;
}

export interface StationState {
  id: string;
  online: boolean;
  collectorId?: string;
  protocol?: string;
  remoteAddress?: string;
  vendor?: string;
  model?: string;
  serialNumber?: string;
  firmwareVersion?: string;
  iccid?: string;
  imsi?: string;
  meterType?: string;
  registration?: string;
  bootReason?: string;
  firstSeen?: number;
  lastSeen?: number;
  lastHeartbeat?: number;
  lastBoot?: number;
  connectedAt?: number;
  disconnectedAt?: number;
  connectors: ConnectorState[];
  transactions: OpenTransaction[];
  metadata: StationMetadata;
}

/** Field of a connector in the `connectors` hash. */
export const connectorKey = (evseId: number, connectorId: number) => `${evseId}/${connectorId}`;

/** A connector as it was (or Unknown, since `time`, when new), for an update that changes other fields. */
export function connectorFrom(prev: ConnectorState | undefined, evseId: number, connectorId: number, time: number): ConnectorState {
  return {
    evseId,
    connectorId,
    status: prev?.status ?? 'Unknown',
    errorCode: prev?.errorCode ?? 'NoError',
    vendorErrorCode: prev?.vendorErrorCode,
    info: prev?.info,
    since: prev?.since ?? time,
    transactionId: prev?.transactionId,
    problems: prev?.problems,
  };
}

function num(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

export function parseMeta(h: Record<string, string>): StationMetadata {
  const meta: StationMetadata = {};
  if (h.site) meta.site = h.site;
  if (h.address) meta.address = h.address;
  if (num(h.latitude) !== undefined) meta.latitude = num(h.latitude);
  if (num(h.longitude) !== undefined) meta.longitude = num(h.longitude);
  if (h.operatingHours) meta.operatingHours = h.operatingHours;
  if (h.timeZone) meta.timeZone = h.timeZone;
  if (h.tags) {
    try {
      meta.tags = JSON.parse(h.tags) as Record<string, string>;
    } catch {
      // A hand-edited, unparsable value must not break the listing; the next write replaces it.
    }
  }
  return meta;
}

export function toState(
  id: string,
  h: Record<string, string>,
  c: Record<string, string>,
  t: Record<string, string>,
  meta: Record<string, string>,
): StationState {
  const str = (k: string) => (h[k] ? h[k] : undefined);
  const connectors = Object.values(c)
    .map((raw) => JSON.parse(raw) as ConnectorState)
    .sort((a, b) => a.evseId - b.evseId || a.connectorId - b.connectorId);
  const transactions = Object.values(t).map((raw) => JSON.parse(raw) as OpenTransaction);
  return {
    id,
    online: h.online === '1',
    collectorId: str('collectorId'),
    protocol: str('protocol'),
    remoteAddress: str('remoteAddress'),
    vendor: str('vendor'),
    model: str('model'),
    serialNumber: str('serialNumber'),
    firmwareVersion: str('firmwareVersion'),
    iccid: str('iccid'),
    imsi: str('imsi'),
    meterType: str('meterType'),
    registration: str('registration'),
    bootReason: str('bootReason'),
    firstSeen: num(h.firstSeen),
    lastSeen: num(h.lastSeen),
    lastHeartbeat: num(h.lastHeartbeat),
    lastBoot: num(h.lastBoot),
    connectedAt: num(h.connectedAt),
    disconnectedAt: num(h.disconnectedAt),
    connectors,
    transactions,
    metadata: parseMeta(meta),
  };
}
