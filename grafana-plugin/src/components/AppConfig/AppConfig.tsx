import React, { ChangeEvent, FormEvent, useState } from 'react';
import { lastValueFrom } from 'rxjs';
import { css } from '@emotion/css';
import { AppPluginMeta, GrafanaTheme2, PluginConfigPageProps, PluginMeta } from '@grafana/data';
import { getBackendSrv } from '@grafana/runtime';
import { Alert, Button, Field, FieldSet, Input, SecretInput, useStyles2 } from '@grafana/ui';
import { testIds } from '../testIds';

export type AppPluginSettings = {
  /** Base URL of the ChargeWatch collector, e.g. http://collector:8080 (without /api) */
  apiUrl?: string;
};

type State = {
  apiUrl: string;
  /** true when Grafana holds a token (the value itself never reaches the browser) */
  isApiTokenSet: boolean;
  apiToken: string;
};

export interface AppConfigProps extends PluginConfigPageProps<AppPluginMeta<AppPluginSettings>> {}

/** Accepts http(s) URLs only; a trailing slash or /api suffix is stripped because the route appends /api. */
export function normalizeApiUrl(raw: string): string {
  let url = raw.trim().replace(/\/+$/, '');
  url = url.replace(/\/api(\/v1)?$/, '');
  return url;
}

export function isValidApiUrl(raw: string): boolean {
  try {
    const u = new URL(raw);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

const AppConfig = ({ plugin }: AppConfigProps) => {
  const s = useStyles2(getStyles);
  const { enabled, pinned, jsonData, secureJsonFields } = plugin.meta;
  const [state, setState] = useState<State>({
    apiUrl: jsonData?.apiUrl || '',
    apiToken: '',
    isApiTokenSet: Boolean(secureJsonFields?.apiToken),
  });
  const [error, setError] = useState<string>();
  const [saving, setSaving] = useState(false);

  const urlInvalid = state.apiUrl !== '' && !isValidApiUrl(state.apiUrl);
  const isSubmitDisabled = Boolean(!state.apiUrl || urlInvalid || (!state.isApiTokenSet && !state.apiToken) || saving);

  const onResetApiToken = () => setState({ ...state, apiToken: '', isApiTokenSet: false });

  const onChange = (event: ChangeEvent<HTMLInputElement>) => {
    setState({ ...state, [event.target.name]: event.target.value.trim() });
  };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (isSubmitDisabled) {
      return;
    }
    setSaving(true);
    setError(undefined);
    try {
      await updatePlugin(plugin.meta.id, {
        enabled,
        pinned,
        jsonData: { ...jsonData, apiUrl: normalizeApiUrl(state.apiUrl) },
        // Write-only: omitted when unchanged so the stored token is kept.
        secureJsonData: state.isApiTokenSet ? undefined : { apiToken: state.apiToken },
      });
      // The plugin settings are read at load time; reload to apply them.
      window.location.reload();
    } catch (e) {
      setError(
        e instanceof Error ? e.message : ((e as { data?: { message?: string } })?.data?.message ?? 'unknown error')
      );
      setSaving(false);
    }
  };

  return (
    <form onSubmit={onSubmit}>
      <FieldSet label="ChargeWatch collector">
        <Field
          label="Collector API URL"
          description="Base URL of the ChargeWatch collector as seen from the Grafana server, e.g. http://collector:8080. Requests go through Grafana's plugin proxy."
          invalid={urlInvalid}
          error={urlInvalid ? 'Enter an http:// or https:// URL' : undefined}
        >
          <Input
            width={60}
            name="apiUrl"
            id="config-api-url"
            data-testid={testIds.appConfig.apiUrl}
            value={state.apiUrl}
            placeholder="http://collector:8080"
            onChange={onChange}
          />
        </Field>

        <Field
          label="API token"
          description="Bearer token of the collector API. Stored encrypted by Grafana and added to proxied requests server-side; it is never sent back to the browser."
          className={s.marginTop}
        >
          <SecretInput
            width={60}
            id="config-api-token"
            data-testid={testIds.appConfig.apiToken}
            name="apiToken"
            value={state.apiToken}
            isConfigured={state.isApiTokenSet}
            placeholder="Collector API token"
            onChange={onChange}
            onReset={onResetApiToken}
          />
        </Field>

        {error && (
          <Alert severity="error" title="Could not save the settings" className={s.marginTop}>
            {error}
          </Alert>
        )}

        <div className={s.marginTop}>
          <Button type="submit" data-testid={testIds.appConfig.submit} disabled={isSubmitDisabled}>
            {saving ? 'Saving…' : 'Save settings'}
          </Button>
        </div>
      </FieldSet>
    </form>
  );
};

export default AppConfig;

const getStyles = (theme: GrafanaTheme2) => ({
  marginTop: css({
    marginTop: theme.spacing(3),
  }),
});

const updatePlugin = async (pluginId: string, data: Partial<PluginMeta>) => {
  const response = getBackendSrv().fetch({
    url: `/api/plugins/${pluginId}/settings`,
    method: 'POST',
    data,
  });
  return lastValueFrom(response);
};
