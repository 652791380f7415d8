import { demoReleases, nextVersion } from '../../../src/devstack/demo-firmware';

describe('demo firmware catalogue', () => {
  it('bumps the last numeric segment', () => {
    expect(nextVersion('3.6.2')).toBe('3.6.3');
    expect(nextVersion('1.9')).toBe('1.10');
    expect(nextVersion('beta')).toBe('beta.1');
  });

  it('offers one release per vendor/model, past the newest version running, at a URL naming it', () => {
    const releases = demoReleases([
      { vendor: 'ACME', model: 'AC22', version: '3.4.1' },
      { vendor: 'ACME', model: 'AC22', version: '3.10.0' },
      { vendor: 'ACME', model: 'AC22', version: '3.6.2' },
      { vendor: 'Volt', model: 'DC 50', version: '2.1.0' },
      { vendor: 'Volt', model: 'DC 50', version: null },
    ]);
    expect(releases.map((r) => `${r.vendor}/${r.model}/${r.version}`)).toEqual(['ACME/AC22/3.10.1', 'Volt/DC 50/2.1.1']);
    // The simulator installs the version its file name says.
    expect(releases[1]!.location).toBe('https://firmware.demo.invalid/Volt/DC%2050/fw-2.1.1.bin');
  });
});
