import { chargewatchApi, ApiError, cleanParams, proxyPath } from './client';
import { HttpError, installFakeBackend } from '../test/fakeBackend';
import { SUMMARY } from '../test/fixtures';

describe('chargewatchApi', () => {
  it('calls the plugin proxy route with only the filters that are set', async () => {
    const { requests } = installFakeBackend(() => SUMMARY);
    const result = await chargewatchApi.fleetSummary({ site: 'Site A', vendor: undefined, model: '' });
    expect(result.stations.total).toBe(12034);
    expect(requests).toHaveLength(1);
    expect(requests[0].method).toBe('GET');
    expect(requests[0].url).toBe('api/plugin-proxy/chargewatch-fleet-app/viewer/fleet/summary');
    expect(requests[0].path).toBe('/fleet/summary');
    expect(requests[0].role).toBe('viewer');
    expect(requests[0].params).toEqual({ site: 'Site A' });
  });

  it('passes sorting, paging and boolean filters for the station list', async () => {
    const { requests } = installFakeBackend(() => ({ total: 0, items: [], facets: {} }));
    await chargewatchApi.listStations({
      online: false,
      sort: 'lastHeartbeat',
      order: 'desc',
      limit: 50,
      offset: 100,
      q: 'CP',
    });
    expect(requests[0].path).toBe('/stations');
    expect(requests[0].params).toEqual({
      online: false,
      sort: 'lastHeartbeat',
      order: 'desc',
      limit: 50,
      offset: 100,
      q: 'CP',
    });
  });

  it('encodes station ids in paths', async () => {
    const { requests } = installFakeBackend(() => ({}));
    await chargewatchApi.station('CP 1:A');
    await chargewatchApi.stationHistory('CP 1:A', 6);
    expect(requests[0].url).toBe('api/plugin-proxy/chargewatch-fleet-app/viewer/stations/CP%201%3AA');
    // Grafana forwards the wildcard's part decoded
    expect(requests[0].path).toBe('/stations/CP 1:A');
    expect(requests[1].path).toBe('/stations/CP 1:A/history');
    expect(requests[1].params).toEqual({ hours: 6 });
  });

  it('an id cannot add path segments of its own', () => {
    expect(proxyPath('viewer', 'stations', '../security', 'history')).toBe('/viewer/stations/..%2Fsecurity/history');
  });

  it('calls each resource through the route of its role', async () => {
    const { requests } = installFakeBackend(() => ({}));
    await chargewatchApi.station('CP-1');
    await chargewatchApi.updateStationMetadata('CP-1', { site: 'Depot' });
    await chargewatchApi.importStationMetadata([{ stationId: 'CP-1', site: 'Depot' }]);
    await chargewatchApi.stationSecurity('CP-1');
    await chargewatchApi.setStationSecurity('CP-1', { profile: 1, password: 'correct-horse-battery' });
    await chargewatchApi.resetStationSecurity('CP-1');
    await chargewatchApi.setRegistration('CP-1', 'Rejected');
    await chargewatchApi.authFailures(5);
    expect(requests.map((r) => `${r.method} ${r.path} ${r.role}`)).toEqual([
      'GET /stations/CP-1 viewer',
      'PUT /stations/CP-1/metadata editor',
      'POST /stations/metadata/import editor',
      'GET /stations/CP-1/security admin',
      'PUT /stations/CP-1/security admin',
      'DELETE /stations/CP-1/security admin',
      'PUT /stations/CP-1/registration admin',
      'GET /security/auth-failures admin',
    ]);
    expect(requests[6].data).toEqual({ status: 'Rejected' });
    expect(requests[7].params).toEqual({ limit: 5 });
  });

  it('says so when the Grafana role is too low', async () => {
    installFakeBackend(() => ({}), { role: 'Viewer' });
    const err = await chargewatchApi.updateStationMetadata('CP-1', { site: 'x' }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(403);
    expect(err.message).toBe('Your Grafana role does not allow this action');
  });

  it('sends commands through the Editor route and reads them through the Viewer routes', async () => {
    const { requests } = installFakeBackend(() => ({}), { role: 'Editor' });
    await chargewatchApi.sendCommand('CP-1', { name: 'Reset', params: { type: 'soft' } });
    await chargewatchApi.command('c-1');
    await chargewatchApi.stationCommands('CP-1', 5);
    expect(requests.map((r) => `${r.method} ${r.path} ${r.role}`)).toEqual([
      'POST /stations/CP-1/commands/Reset editor',
      'GET /commands/c-1 viewer',
      'GET /stations/CP-1/commands viewer',
    ]);
    expect(requests[0].data).toEqual({ type: 'soft' });
    expect(requests[2].params).toEqual({ limit: 5 });
  });

  it("refuses a Viewer's command in Grafana, before the collector", async () => {
    const { requests } = installFakeBackend(() => ({}), { role: 'Viewer' });
    const err = await chargewatchApi.sendCommand('CP-1', { name: 'Reset', params: { type: 'hard' } }).catch((e) => e);
    expect(err.status).toBe(403);
    expect(err.message).toBe('Your Grafana role does not allow this action');
    expect(requests).toEqual([]);
  });

  it('sends metadata updates with PUT and the body', async () => {
    const { requests } = installFakeBackend((req) => ({ id: 'CP-1', metadata: req.data }));
    await chargewatchApi.updateStationMetadata('CP-1', { site: 'Depot', tags: { a: 'b' } });
    expect(requests[0].method).toBe('PUT');
    expect(requests[0].path).toBe('/stations/CP-1/metadata');
    expect(requests[0].data).toEqual({ site: 'Depot', tags: { a: 'b' } });
  });

  it('turns a 404 body into an ApiError with the collector message', async () => {
    installFakeBackend(() => {
      throw new HttpError(404, { error: 'not_found', message: 'station CP-9 not found' });
    });
    const err = await chargewatchApi.station('CP-9').catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(404);
    expect(err.notFound).toBe(true);
    expect(err.message).toBe('station CP-9 not found');
    expect(err.code).toBe('not_found');
  });

  it('explains authentication and gateway failures', async () => {
    installFakeBackend(() => {
      throw new HttpError(401, {});
    });
    await expect(chargewatchApi.fleetSummary()).rejects.toThrow(/check the API token/);
    installFakeBackend(() => {
      throw new HttpError(502, {});
    });
    await expect(chargewatchApi.fleetSummary()).rejects.toThrow(/could not reach the collector/);
  });

  it('wraps network errors', async () => {
    installFakeBackend(() => {
      throw new TypeError('Failed to fetch');
    });
    const err = await chargewatchApi.fleetSummary().catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(0);
    expect(err.message).toBe('Failed to fetch');
  });

  it('cleanParams keeps false and 0 but drops empty values', () => {
    expect(cleanParams({ a: false, b: 0, c: '', d: undefined, e: 'x' })).toEqual({ a: false, b: 0, e: 'x' });
  });
});
