/**
 * What a firmware owner does first in the demo: for each vendor/model the simulated fleet reports, a
 * catalogue release one version past the newest one running, set as that model's target. The fleet
 * then shows drift on the Firmware page, and a campaign can be started from the plugin at once (the
 * simulator installs the version a file name says; `npm run demo` runs it with a few seeded failures).
 * Through the real API, so it is what an operator would do; a release that exists already is kept.
 */
import { compareVersions } from '@chargewatch/model';

interface InventoryGroup {
  vendor: string;
  model: string;
  version: string | null;
}

/** The next version after `v`: its last numeric segment plus one (`3.6.2` → `3.6.3`). */
export function nextVersion(v: string): string {
  const parts = v.split('.');
  const last = Number.parseInt(parts[parts.length - 1] ?? '', 10);
  if (!Number.isFinite(last)) return `${v}.1`;
  parts[parts.length - 1] = String(last + 1);
  return parts.join('.');
}

/** One release per vendor/model: the newest version seen, bumped. */
export function demoReleases(groups: InventoryGroup[]): Array<{ vendor: string; model: string; version: string; location: string; releaseNotes: string }> {
  const newest = new Map<string, InventoryGroup>();
  for (const g of groups) {
    if (!g.version) continue;
    const key = `${g.vendor}\u0000${g.model}`;
    const seen = newest.get(key);
    if (!seen || compareVersions(g.version, seen.version!) > 0) newest.set(key, g);
  }
  return [...newest.values()].map((g) => {
    const version = nextVersion(g.version!);
    return { vendor: g.vendor, model: g.model, version, location: `https://firmware.demo.invalid/${encodeURIComponent(g.vendor)}/${encodeURIComponent(g.model)}/fw-${version}.bin`, releaseNotes: `Demo release after ${g.version}` };
  });
}

export async function seedDemoFirmware(apiUrl: string, token: string): Promise<number> {
  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${apiUrl}/api/v1${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-grafana-user': 'demo-firmware-owner' } });
  const inventory = (await (await call('/firmware/inventory')).json()) as { groups?: InventoryGroup[] };
  let seeded = 0;
  for (const r of demoReleases(inventory.groups ?? [])) {
    const created = await call('/firmware/releases', { method: 'POST', body: JSON.stringify(r) });
    if (created.status === 409) continue;
    if (!created.ok) throw new Error(`demo firmware release ${r.vendor} ${r.model} ${r.version}: HTTP ${created.status} ${await created.text()}`);
    const { id } = (await created.json()) as { id: string };
    const target = await call(`/firmware/targets/${encodeURIComponent(r.vendor)}/${encodeURIComponent(r.model)}`, { method: 'PUT', body: JSON.stringify({ releaseId: id }) });
    if (!target.ok) throw new Error(`demo firmware target ${r.vendor} ${r.model}: HTTP ${target.status} ${await target.text()}`);
    seeded++;
  }
  return seeded;
}
