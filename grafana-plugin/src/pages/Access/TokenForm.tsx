import React, { useState } from 'react';
import type { SelectableValue } from '@grafana/data';
import { Alert, Button, Field, Input, Select, TextArea, useStyles2 } from '@grafana/ui';
import { OCPI_TOKEN_TYPES, TOKEN_STATUSES, TOKEN_TYPES, type TokenType } from '@chargewatch/model/access';
import type { AccessToken, Account } from '../../api/accessTypes';
import type { ActionState } from '../../data/useFirmwareAction';
import { testIds } from '../../components/testIds';
import { getStyles } from './styles';
import {
  defaultOcpiType,
  EMPTY_TOKEN,
  normalisedUid,
  tokenForm,
  type TokenFormState,
  UID_HINT,
  validateToken,
} from './tokenRules';

interface Props {
  /** the token being changed; absent: a new one */
  token?: AccessToken;
  accounts: Account[];
  /** sends the valid form (create or change); resolves to the saved token, or undefined when refused */
  send: (form: TokenFormState) => Promise<AccessToken | undefined>;
  state: ActionState<AccessToken>;
  onClose: () => void;
  onSaved: (t: AccessToken) => void;
}

const opts = <T extends string>(values: readonly T[]): Array<SelectableValue<T>> =>
  values.map((v) => ({ label: v, value: v }));

/** Editors register a token or change one; the registry's checks run before anything is sent. */
export function TokenForm({ token, accounts, send, state, onClose, onSaved }: Props) {
  const styles = useStyles2(getStyles);
  const [form, setForm] = useState<TokenFormState>(token ? tokenForm(token) : EMPTY_TOKEN);
  const [tried, setTried] = useState(false);
  const errors = validateToken(form, token);
  const shown = tried ? errors : {};
  const type: TokenType = token?.type ?? form.type;
  const set = (key: keyof TokenFormState) => (e: React.FormEvent<HTMLInputElement | HTMLTextAreaElement>) =>
    setForm({ ...form, [key]: e.currentTarget.value });

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (Object.keys(errors).length) {
      return;
    }
    const saved = await send(form);
    if (saved) {
      onSaved(saved);
    }
  };

  const text = (key: keyof TokenFormState, label: string, description?: string, placeholder?: string) => (
    <Field label={label} description={description} invalid={Boolean(shown[key])} error={shown[key]}>
      <Input
        id={`cw-token-${key}`}
        value={form[key]}
        placeholder={placeholder}
        onChange={set(key)}
        data-testid={testIds.access.tokenField(key)}
      />
    </Field>
  );
  const normalised = !token && type !== 'KeyCode' && form.uid ? normalisedUid(type, form.uid) : undefined;

  return (
    <form className={styles.form} onSubmit={submit} data-testid={testIds.access.tokenForm} noValidate>
      {!token && (
        <Field label="Type" description="OCPP 2.0.1 IdTokenType; a 1.6 idTag matches any type but KeyCode">
          <Select
            inputId="cw-token-type"
            options={opts(TOKEN_TYPES)}
            value={form.type}
            onChange={(v) => setForm({ ...form, type: v.value ?? 'ISO14443' })}
          />
        </Field>
      )}
      {!token && type !== 'KeyCode' && (
        <Field
          label="Token id"
          description={
            normalised?.ok && normalised.uid !== form.uid
              ? `Stored as ${normalised.uid}`
              : (UID_HINT[type] ?? 'Printable ASCII, no spaces')
          }
          invalid={Boolean(shown.uid)}
          error={shown.uid}
        >
          <Input
            id="cw-token-uid"
            value={form.uid}
            onChange={set('uid')}
            data-testid={testIds.access.tokenField('uid')}
          />
        </Field>
      )}
      {type === 'KeyCode' && (
        <Field
          label={token ? 'New PIN (optional)' : 'PIN'}
          description={
            token
              ? 'Write-only: leave empty to keep the PIN; it is never shown'
              : 'Write-only: stored as a keyed hash, never shown again'
          }
          invalid={Boolean(shown.pin)}
          error={shown.pin}
        >
          <Input
            id="cw-token-pin"
            type="password"
            autoComplete="new-password"
            value={form.pin}
            onChange={set('pin')}
            data-testid={testIds.access.tokenField('pin')}
          />
        </Field>
      )}
      <Field label="OCPI type" description={`Default for ${type}: ${defaultOcpiType(type)}`}>
        <Select
          inputId="cw-token-ocpiType"
          isClearable
          placeholder={defaultOcpiType(type)}
          options={opts(OCPI_TOKEN_TYPES)}
          value={form.ocpiType || null}
          onChange={(v) => setForm({ ...form, ocpiType: v?.value ?? '' })}
        />
      </Field>
      {!token && (
        <Field label="Status" description="Block and unblock later from the token’s page">
          <Select
            inputId="cw-token-status"
            options={opts(TOKEN_STATUSES)}
            value={form.status}
            onChange={(v) => setForm({ ...form, status: v.value ?? 'Accepted' })}
          />
        </Field>
      )}
      <Field label="Account" invalid={Boolean(shown.accountId)} error={shown.accountId}>
        <Select
          inputId="cw-token-account"
          isClearable
          placeholder="None"
          options={accounts.map((a) => ({ label: a.name, value: a.id, description: `${a.kind} · id ${a.id}` }))}
          value={form.accountId || null}
          onChange={(v) => setForm({ ...form, accountId: v?.value ?? '' })}
          data-testid={testIds.access.tokenField('accountId')}
        />
      </Field>
      {text('groupId', 'Group id (optional)', '1.6 parentIdTag / 2.0.1 groupIdToken')}
      {text(
        'validUntil',
        'Valid until (optional)',
        'ISO 8601 with a zone; after it the token is Expired',
        '2027-01-31T23:59:59Z'
      )}
      {text('maxConcurrentTx', 'Sessions at once (optional)', 'Empty: no limit; 0 refuses every start')}
      {text('allowedSites', 'Sites (optional)', 'Comma-separated; with stations and EVSEs all empty: everywhere')}
      {text('allowedStations', 'Stations (optional)', 'Comma-separated station ids')}
      {text('allowedEvses', 'EVSEs (optional)', 'Comma-separated <stationId>/<evseId>')}
      {text('allowedHours', 'Hours (optional)', 'Site time; e.g. Mon,Tue,Wed,Thu,Fri 07:00-19:00; 22:00-02:00')}
      <Field label="Note (optional)" className={styles.wide} invalid={Boolean(shown.note)} error={shown.note}>
        <TextArea rows={2} value={form.note} onChange={set('note')} data-testid={testIds.access.tokenField('note')} />
      </Field>
      {state.error && (
        <div className={styles.wide}>
          <Alert severity="error" title="The collector refused the token">
            {state.error.message}
          </Alert>
        </div>
      )}
      <div className={styles.actions}>
        <Button
          type="submit"
          icon={token ? 'save' : 'plus'}
          disabled={state.busy}
          data-testid={testIds.access.tokenSubmit}
        >
          {token ? 'Save changes' : 'Register token'}
        </Button>
        <Button variant="secondary" fill="text" onClick={onClose}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
