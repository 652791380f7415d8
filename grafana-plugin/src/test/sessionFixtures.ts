/**
 * Charging sessions of the Access page's tests (the token detail), and which token each fixture
 * incident's hash belongs to: the fake collector (accessFixtures.ts) filters by both as the real one does.
 */
import type { ChargingSession } from '../api/accessTypes';

/** Which registry token each incident's hash belongs to (the collector computes it; here it is given). */
export const INCIDENT_TOKEN: Record<string, string> = { '11': '1' };

export const SESSIONS: ChargingSession[] = [
  {
    id: '501',
    stationId: 'CP-0002',
    transactionId: 'tx-9',
    evseId: 1,
    connectorId: 1,
    token: { masked: '****E6F7', type: 'ISO14443', ref: '1' },
    accountId: '1',
    startedAt: '2026-11-30T10:05:00.000Z',
    offline: false,
    active: true,
  },
  {
    id: '500',
    stationId: 'CP-0001',
    transactionId: '41',
    evseId: 2,
    connectorId: 1,
    token: { masked: '****E6F7', type: 'ISO14443', ref: '1' },
    accountId: '1',
    startedAt: '2026-11-30T08:00:00.000Z',
    endedAt: '2026-11-30T09:30:00.000Z',
    energyWh: 18_250,
    stoppedReason: 'EVDisconnected',
    closedBy: 'station',
    offline: false,
    active: false,
  },
];
