import type { CommandView } from '../api/types';

/** A command as the collector serves it (collector/src/api/command-views.ts). */
export function makeCommand(overrides: Partial<CommandView> = {}): CommandView {
  return {
    id: 'cmd-1',
    stationId: 'CP-0003',
    name: 'Reset',
    params: { type: 'soft' },
    actor: { kind: 'user', name: 'alice', role: 'editor' },
    status: 'accepted',
    submittedAt: '2025-06-01T11:58:00.000Z',
    deadline: '2025-06-01T12:08:00.000Z',
    waitForConnection: true,
    sentAt: '2025-06-01T11:58:00.100Z',
    finishedAt: '2025-06-01T11:58:01.000Z',
    collectorId: 'collector-1',
    protocol: 'ocpp2.0.1',
    action: 'Reset',
    result: { status: 'accepted' },
    ...overrides,
  };
}

/** Older commands of CP-0003, newest first. */
export const COMMAND_HISTORY: CommandView[] = [
  makeCommand({
    id: 'cmd-h2',
    name: 'ChangeAvailability',
    params: { availability: 'inoperative', evseId: 2, connectorId: 1 },
    actor: { kind: 'user', name: 'bob', role: 'admin' },
    status: 'rejected',
    result: { status: 'rejected', reason: 'Rejected (TxInProgress)' },
    submittedAt: '2025-06-01T10:00:00.000Z',
    finishedAt: '2025-06-01T10:00:02.000Z',
  }),
  makeCommand({
    id: 'cmd-h1',
    name: 'TriggerMessage',
    params: { message: 'status' },
    actor: { kind: 'user', name: 'alice', role: 'editor' },
    submittedAt: '2025-06-01T09:00:00.000Z',
    finishedAt: '2025-06-01T09:00:01.000Z',
  }),
];
