/** JSON requests to a collector's API (in-process or a child process), with status and (for POST) the Location header. */
export type Json = Record<string, any>;

/** Anything that sends authenticated requests to a collector's API, such as a TestCollector. */
export interface ApiTarget {
  api(path: string, init?: RequestInit): Promise<Response>;
}

export async function postJson(via: ApiTarget, path: string, body: unknown): Promise<{ status: number; body: Json; location: string | null }> {
  const res = await via.api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Json, location: res.headers.get('location') };
}

export async function getJson(via: ApiTarget, path: string): Promise<{ status: number; body: Json }> {
  const res = await via.api(path);
  return { status: res.status, body: (await res.json()) as Json };
}
