import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  await Promise.all((globalThis.__chargewatchServices ?? []).map((s) => s.stop()));
  if (process.env.TEST_BASE_DIR && !process.env.KEEP_TEST_DATA) {
    rmSync(process.env.TEST_BASE_DIR, { recursive: true, force: true });
  }
}
