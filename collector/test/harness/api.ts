/** JSON requests to a test collector's API, with status and (for POST) the Location header. */
import type { TestCollector } from './collector';

export type Json = Record<string, any>;

export async function postJson(via: TestCollector, path: string, body: unknown): Promise<{ status: number; body: Json; location: string | null }> {
  const res = await via.api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Json, location: res.headers.get('location') };
}

export async function getJson(via: TestCollector, path: string): Promise<{ status: number; body: Json }> {
  const res = await via.api(path);
  return { status: res.status, body: (await res.json()) as Json };
}
