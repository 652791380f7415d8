/** Writes dashboards/generated/*.json (committed; provisioning mounts that folder). `npm run generate -w dashboards`. */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { allDashboards, render } from './index';

export const GENERATED_DIR = join(__dirname, '..', 'generated');

export function generate(dir = GENERATED_DIR): string[] {
  mkdirSync(dir, { recursive: true });
  const dashboards = allDashboards();
  for (const stale of readdirSync(dir)) if (stale.endsWith('.json') && !(stale in dashboards)) rmSync(join(dir, stale));
  for (const [file, d] of Object.entries(dashboards)) writeFileSync(join(dir, file), render(d));
  return Object.keys(dashboards);
}

if (require.main === module) {
  for (const file of generate()) console.log(`wrote ${join(GENERATED_DIR, file)}`);
}
