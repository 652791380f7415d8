import React from 'react';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { PluginType } from '@grafana/data';
import AppConfig, { AppConfigProps, isValidApiUrl, normalizeApiUrl } from './AppConfig';
import { testIds } from '../testIds';
import { installFakeBackend } from '../../test/fakeBackend';

const makeProps = (meta: Partial<AppConfigProps['plugin']['meta']> = {}) =>
  ({
    plugin: {
      meta: {
        id: 'chargewatch-fleet-app',
        name: 'ChargeWatch Fleet',
        type: PluginType.app,
        enabled: true,
        pinned: true,
        jsonData: {},
        ...meta,
      },
    },
    query: {},
  }) as unknown as AppConfigProps;

describe('AppConfig', () => {
  const reload = jest.fn();
  beforeAll(() => {
    Object.defineProperty(window, 'location', { value: { ...window.location, reload }, writable: true });
  });

  it('needs a URL and a token before saving', () => {
    installFakeBackend(() => ({}));
    render(<AppConfig {...makeProps()} />);
    const submit = screen.getByTestId(testIds.appConfig.submit);
    expect(submit).toBeDisabled();
    fireEvent.change(screen.getByTestId(testIds.appConfig.apiUrl), { target: { value: 'not a url' } });
    expect(screen.getByText('Enter an http:// or https:// URL')).toBeInTheDocument();
    fireEvent.change(screen.getByTestId(testIds.appConfig.apiUrl), { target: { value: 'http://collector:8080' } });
    expect(submit).toBeDisabled();
    fireEvent.change(screen.getByTestId(testIds.appConfig.apiToken), { target: { value: 's3cret' } });
    expect(submit).toBeEnabled();
  });

  it('saves the URL in jsonData and the token in secureJsonData', async () => {
    const { requests } = installFakeBackend(() => ({}));
    render(<AppConfig {...makeProps()} />);
    fireEvent.change(screen.getByTestId(testIds.appConfig.apiUrl), { target: { value: 'http://collector:8080/api/' } });
    fireEvent.change(screen.getByTestId(testIds.appConfig.apiToken), { target: { value: 's3cret' } });
    fireEvent.click(screen.getByTestId(testIds.appConfig.submit));
    await waitFor(() => expect(requests).toHaveLength(1));
    expect(requests[0].method).toBe('POST');
    expect(requests[0].url).toBe('api/plugins/chargewatch-fleet-app/settings');
    expect(requests[0].data).toEqual({
      enabled: true,
      pinned: true,
      jsonData: { apiUrl: 'http://collector:8080' },
      secureJsonData: { apiToken: 's3cret' },
    });
    await waitFor(() => expect(reload).toHaveBeenCalled());
  });

  it('shows a stored token as configured, keeps it unless reset', async () => {
    const { requests } = installFakeBackend(() => ({}));
    render(
      <AppConfig {...makeProps({ jsonData: { apiUrl: 'https://cw.example' }, secureJsonFields: { apiToken: true } })} />
    );
    const token = screen.getByTestId(testIds.appConfig.apiToken);
    expect(token).toBeDisabled();
    expect(token).toHaveValue('configured');
    fireEvent.change(screen.getByTestId(testIds.appConfig.apiUrl), { target: { value: 'https://cw2.example' } });
    fireEvent.click(screen.getByTestId(testIds.appConfig.submit));
    await waitFor(() => expect(requests).toHaveLength(1));
    expect(requests[0].data).toMatchObject({ jsonData: { apiUrl: 'https://cw2.example' }, secureJsonData: undefined });

    fireEvent.click(screen.getByRole('button', { name: 'Reset' }));
    expect(screen.getByTestId(testIds.appConfig.apiToken)).toBeEnabled();
    expect(screen.getByTestId(testIds.appConfig.submit)).toBeDisabled();
  });

  it('normalizes and validates URLs', () => {
    expect(normalizeApiUrl(' http://c:8080/ ')).toBe('http://c:8080');
    expect(normalizeApiUrl('http://c:8080/api/v1')).toBe('http://c:8080');
    expect(isValidApiUrl('ftp://c')).toBe(false);
    expect(isValidApiUrl('https://c.example/base')).toBe(true);
  });
});
