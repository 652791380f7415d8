import { maskTokenId, redactCommandParams, redactCommandResult, withoutCredentials, REDACTED } from '../../src/command-redaction';

describe('command redaction', () => {
  it('masks token ids, keeping the last four characters of long ones', () => {
    expect(maskTokenId('04A1B2C3D4E5F6')).toBe('****E5F6');
    expect(maskTokenId('1234')).toBe('****');
    expect(redactCommandParams({ name: 'RemoteStart', params: { idToken: { id: '04A1B2C3D4E5F6', type: 'ISO14443' }, evseId: 1 } })).toEqual({
      idToken: { id: '****E5F6', type: 'ISO14443' },
      evseId: 1,
    });
    expect(
      redactCommandParams({ name: 'SendLocalList', params: { updateType: 'full', version: 2, entries: [{ idToken: { id: 'AAAABBBBCCCC' }, status: 'Accepted', groupId: 'GROUP-000042' }] } }),
    ).toEqual({ updateType: 'full', version: 2, entries: [{ idToken: { id: '****CCCC' }, status: 'Accepted', groupId: '****0042' }] });
  });

  it('removes secret setting values, whether named by a 1.6 key or a 2.0.1 variable', () => {
    const params = {
      settings: [
        { key: 'AuthorizationKey', value: '0123456789abcdef' },
        { key: 'HeartbeatInterval', value: '60' },
        { component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' }, value: 's3cret!' },
      ],
    };
    expect(redactCommandParams({ name: 'SetSettings', params })).toEqual({
      settings: [
        { key: 'AuthorizationKey', value: REDACTED },
        { key: 'HeartbeatInterval', value: '60' },
        { component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' }, value: REDACTED },
      ],
    });
    expect(params.settings[0]!.value).toBe('0123456789abcdef');
    const result = redactCommandResult('GetSettings', { status: 'accepted', data: { settings: [{ key: 'AuthorizationKey', value: 'leaked', status: 'accepted' }] } });
    expect(result.data).toEqual({ settings: [{ key: 'AuthorizationKey', value: REDACTED, status: 'accepted' }] });
  });

  it('drops signatures, certificates and URL credentials; DataTransfer payloads keep only their size', () => {
    expect(
      redactCommandParams({
        name: 'UpdateFirmware',
        params: { location: 'ftp://user:pw@fw.example.com/a.bin', retrieveAt: '2026-01-01T00:00:00Z', signingCertificate: 'PEM', signature: 'c2ln' },
      }),
    ).toEqual({ location: 'ftp://fw.example.com/a.bin', retrieveAt: '2026-01-01T00:00:00Z', signingCertificate: REDACTED, signature: REDACTED });
    expect(withoutCredentials('not a url')).toBe('not a url');
    expect(redactCommandParams({ name: 'DataTransfer', params: { vendorId: 'v', data: { pin: '1234' } } })).toEqual({ vendorId: 'v', data: `${REDACTED} (14 characters)` });
    expect(redactCommandParams({ name: 'Reset', params: { type: 'hard' } })).toEqual({ type: 'hard' });
  });
});

describe('withoutCredentials', () => {
  it.each([
    ['ftp://user:pw@fw.example.com/a.bin', 'ftp://fw.example.com/a.bin'],
    ['https://a:b@c@host:8443/x?y=@z', 'https://host:8443/x?y=@z'],
    ['https://host/path@x', 'https://host/path@x'],
    ['HTTP://u@h/', 'HTTP://h/'],
    ['not a url', 'not a url'],
  ])('%s → %s', (input, output) => expect(withoutCredentials(input)).toBe(output));
});
