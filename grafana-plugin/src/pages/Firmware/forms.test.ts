import {
  campaignBody,
  DEFAULT_CAMPAIGN,
  parseWindows,
  previewBody,
  splitList,
  validateCampaign,
} from './campaignRules';
import { EMPTY_RELEASE, RELEASE_LIMITS, releaseBody, validateRelease } from './releaseRules';
import { groupInventory, NO_VERSION } from './inventory';
import { parseFirmwareView, firmwareViewParams, DEFAULT_VIEW } from './firmwareView';

const release = {
  ...EMPTY_RELEASE,
  vendor: 'ABB',
  model: 'Terra 54',
  version: '1.9',
  location: 'https://x.example/fw.bin',
};

describe('release form', () => {
  it('accepts a minimal release and builds its body without empty fields', () => {
    expect(validateRelease(release)).toEqual({});
    expect(releaseBody(release)).toEqual({
      vendor: 'ABB',
      model: 'Terra 54',
      version: '1.9',
      location: 'https://x.example/fw.bin',
      versionMatch: { mode: 'exact' },
    });
  });

  it("mirrors the catalogue's limits", () => {
    const long = (n: number) => 'x'.repeat(n);
    expect(validateRelease({ ...release, version: long(RELEASE_LIMITS.version) })).toEqual({});
    expect(
      Object.keys(
        validateRelease({
          ...release,
          version: long(51),
          model: long(21),
          minPriorVersion: long(51),
          releaseNotes: long(10_001),
        })
      ).sort()
    ).toEqual(['minPriorVersion', 'model', 'releaseNotes', 'version']);
    expect(validateRelease({ ...release, location: long(513) }).location).toMatch(/At most 512/);
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
    expect(validateRelease({ ...release, signature: 'abcd' }).signingCertificate).toMatch(/both/);
    expect(validateRelease({ ...release, signingCertificate: pem }).signature).toMatch(/both/);
    expect(validateRelease({ ...release, signingCertificate: pem, signature: 'abcd' })).toEqual({});
    expect(validateRelease({ ...release, signingCertificate: 'pem', signature: 'abcd' }).signingCertificate).toMatch(
      /PEM/
    );
    expect(validateRelease({ ...release, signingCertificate: pem, signature: 'abc' }).signature).toBe('base64');
    expect(validateRelease({ ...release, signature: long(801), signingCertificate: pem }).signature).toMatch(
      /At most 800/
    );
    expect(validateRelease({ ...release, location: 'https://x.example/a b.bin' }).location).toMatch(/white space/);
    expect(validateRelease({ ...release, location: 'gopher://x.example/a' }).location).toMatch(/URLs only/);
    expect(validateRelease({ ...release, version: '1.0\u0007' }).version).toMatch(/control/);
    expect(releaseBody({ ...release, checksum: 'AB'.repeat(32) }).checksum).toBe('ab'.repeat(32));
  });

  it('checks the before-separator rule of the version match', () => {
    expect(validateRelease({ ...release, matchMode: 'before', separator: '' }).separator).toBeDefined();
    expect(validateRelease({ ...release, matchMode: 'before', separator: ' /' }).separator).toBeDefined();
    expect(validateRelease({ ...release, matchMode: 'before', separator: '/-/-/-' }).separator).toBeDefined();
    expect(validateRelease({ ...release, matchMode: 'before', separator: '/' })).toEqual({});
    expect(releaseBody({ ...release, matchMode: 'before', separator: '/' }).versionMatch).toEqual({
      mode: 'before',
      separator: '/',
    });
  });
});

describe('campaign form', () => {
  const form = { ...DEFAULT_CAMPAIGN, name: 'x', releaseId: '5' };

  it('splits lists into distinct entries', () => {
    expect(splitList(' a, b\nc ,a,,')).toEqual(['a', 'b', 'c']);
  });

  it('reads maintenance windows with optional days', () => {
    expect(parseWindows('')).toEqual({ windows: [] });
    expect(parseWindows('Sat Sun 02:00-04:00')).toEqual({ windows: [{ days: [6, 0], start: '02:00', end: '04:00' }] });
    expect(parseWindows('01:00-01:00')).toHaveProperty('error');
    expect(parseWindows('Funday 01:00-02:00')).toHaveProperty('error');
    expect(parseWindows('1:00-2:00')).toHaveProperty('error');
  });

  it("mirrors campaign-schemas.ts's limits", () => {
    expect(validateCampaign(form)).toEqual({});
    expect(validateCampaign({ ...form, name: '' })).toHaveProperty('name');
    expect(validateCampaign({ ...form, name: '' }, false)).toEqual({});
    expect(validateCampaign({ ...form, name: 'n'.repeat(201) })).toHaveProperty('name');
    expect(validateCampaign({ ...form, releaseId: '0' })).toHaveProperty('releaseId');
    expect(validateCampaign({ ...form, canaryMode: 'percent', canary: '101' })).toHaveProperty('canary');
    expect(validateCampaign({ ...form, waves: '1.5' })).toHaveProperty('waves');
    expect(validateCampaign({ ...form, maxPerSite: '10001' })).toHaveProperty('maxPerSite');
    expect(validateCampaign({ ...form, minVerifiedPercent: '-1', maxFailedPercent: '101' })).toEqual(
      expect.objectContaining({ minVerifiedPercent: expect.any(String), maxFailedPercent: expect.any(String) })
    );
    expect(
      validateCampaign({ ...form, sites: Array.from({ length: 501 }, (_, i) => `s${i}`).join(',') })
    ).toHaveProperty('sites');
    expect(validateCampaign({ ...form, stations: 'x'.repeat(129) })).toHaveProperty('stations');
    expect(
      validateCampaign({ ...form, windows: Array.from({ length: 15 }, () => '01:00-02:00').join(';') })
    ).toHaveProperty('windows');
  });

  it('builds the body with minutes as seconds and empty cohort fields left out', () => {
    const body = campaignBody({ ...form, withinMin: '30', tags: 'region=north', canaryMode: 'percent', canary: '5' });
    expect(body).toEqual({
      name: 'x',
      releaseId: '5',
      cohort: { tags: ['region=north'] },
      plan: {
        canary: { percent: 5 },
        waves: { percent: 50 },
        gate: { minVerifiedPercent: 90, withinSec: 1800, maxFailedPercent: 10 },
        maxPerSite: 2,
      },
    });
    expect(previewBody(form)).not.toHaveProperty('name');
  });
});

describe('inventory', () => {
  it('groups by vendor/model, newest version first, counting on and off target', () => {
    const models = groupInventory(
      [
        { vendor: 'B', model: 'M', version: '1.9', stations: 2, target: 'off' },
        { vendor: 'B', model: 'M', version: '1.10', stations: 3, target: 'on' },
        { vendor: 'B', model: 'M', version: null, stations: 1, target: 'off' },
        { vendor: 'A', model: 'Z', version: '1', stations: 4, target: 'none' },
      ],
      [{ vendor: 'B', model: 'M', releaseId: '3', version: '1.10', setAt: '2025-01-01T00:00:00Z', setBy: 'ops' }]
    );
    expect(models.map((m) => m.key)).toEqual(['A/Z', 'B/M']);
    expect(models[1]).toMatchObject({ total: 6, onTarget: 3, offTarget: 3, target: { releaseId: '3' } });
    expect(models[1].versions.map((v) => v.version)).toEqual(['1.10', '1.9', NO_VERSION]);
    expect(models[0].target).toBeUndefined();
  });
});

describe('firmware view in the URL', () => {
  it('round-trips and drops defaults', () => {
    expect(firmwareViewParams(DEFAULT_VIEW).toString()).toBe('');
    const view = {
      ...DEFAULT_VIEW,
      tab: 'campaigns' as const,
      status: 'paused' as const,
      create: true,
      releaseId: '4',
    };
    expect(parseFirmwareView(firmwareViewParams(view))).toEqual(view);
  });

  it('ignores what it does not understand', () => {
    expect(parseFirmwareView(new URLSearchParams('tab=nope&driftPage=-3&status=odd&release=abc&create=1'))).toEqual(
      DEFAULT_VIEW
    );
  });
});
