/**
 * Misuse detection's links to the token registry, against real PostgreSQL: the automatic response
 * blocks the registered token a finding names (a 1.6 idTag, typeless, included), leaves unknown ids
 * and PINs alone, and the allowed-hours rule reads the token's windows.
 */
import type { Pool } from 'pg';
import { systemActor } from '@chargewatch/model';
import { TokenRegistry, createDatabasePool, migrateDatabase, silentLogger } from '@chargewatch/platform';
import { createTestDatabase, dropTestDatabase } from '@chargewatch/tools';
import { registryAllowedHours, registryTokenBlocker } from '../../src/misuse/registry-links';

let url: string;
let pool: Pool;
let registry: TokenRegistry;
const actor = systemActor('misuse');
const editor = { kind: 'grafana-user' as const, name: 'ann', role: 'editor' as const };

beforeAll(async () => {
  url = await createTestDatabase('misuse_registry');
  await migrateDatabase(url, silentLogger);
  pool = createDatabasePool(url, silentLogger);
  registry = new TokenRegistry(pool, { pins: { hashSecret: Buffer.alloc(0) } });
});

afterAll(async () => {
  await pool.end();
  await dropTestDatabase(url);
});

it('blocks the registered token of a finding, typed or a typeless 1.6 idTag, and nothing else', async () => {
  const card = await registry.create({ type: 'ISO14443', uid: '04A1B2C3D4E5F6' }, editor);
  const app = await registry.create({ type: 'Central', uid: 'app-user-7' }, editor);
  const blocker = registryTokenBlocker(registry);
  expect(blocker.available).toBe(true);
  expect(await blocker.block('ISO14443', '04a1b2c3d4e5f6', actor, 'cloned')).toBe(true);
  expect((await registry.get(card.id))!.status).toBe('Blocked');
  // Blocking again is harmless.
  expect(await blocker.block('ISO14443', '04A1B2C3D4E5F6', actor, 'cloned')).toBe(true);
  expect(await blocker.block('Unknown', 'APP-USER-7', actor, 'travel')).toBe(true);
  expect((await registry.get(app.id))!.status).toBe('Blocked');
  expect(await blocker.block('ISO14443', 'DEADBEEF', actor, 'unknown')).toBe(false);
  expect(await blocker.block('KeyCode', '1234', actor, 'pin')).toBe(false);
});

it('reads a token\'s allowed hours; none for unrestricted or unknown tokens', async () => {
  const windows = [{ days: [1, 2, 3, 4, 5], start: '07:00', end: '19:00' }];
  await registry.create({ type: 'ISO15693', uid: 'E004010012345678', allowedHours: windows }, editor);
  await registry.create({ type: 'ISO15693', uid: 'E004010087654321' }, editor);
  const hours = registryAllowedHours(registry);
  expect(await hours.allowedHours({ type: 'ISO15693', id: 'E004010012345678' })).toEqual({ windows });
  expect(await hours.allowedHours({ type: 'ISO15693', id: 'E004010087654321' })).toBeUndefined();
  expect(await hours.allowedHours({ type: 'ISO14443', id: '0000' })).toBeUndefined();
});
