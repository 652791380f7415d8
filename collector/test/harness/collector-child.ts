/**
 * A collector child process from the sources (collector-process.ts under tsx), on the given loopback
 * ports and the harness's Redis and InfluxDB, for tests that must survive its crash or kill it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagedProcess } from '@chargewatch/tools';

const REPO = join(__dirname, '../../..');

export function spawnCollectorChild(name: string, ports: { ocpp: number; api: number }, env: Record<string, string>): ManagedProcess {
  return new ManagedProcess(name, process.execPath, ['--import', 'tsx', join(__dirname, 'collector-process.ts')], mkdtempSync(join(tmpdir(), `cw-${name}-`)), {
    ...process.env,
    TSX_TSCONFIG_PATH: join(REPO, 'tsconfig.dev.json'),
    OCPP_HOST: '127.0.0.1',
    OCPP_PORT: String(ports.ocpp),
    API_HOST: '127.0.0.1',
    API_PORT: String(ports.api),
    REDIS_URL: process.env.TEST_REDIS_URL!,
    INFLUX_URL: process.env.TEST_INFLUX_URL!,
    ...env,
  });
}
