import React, { useState } from 'react';
import { Alert, Button, Field, Input, RadioButtonGroup, TextArea, useStyles2 } from '@grafana/ui';
import type { Account } from '../../api/accessTypes';
import type { ActionState } from '../../data/useFirmwareAction';
import { testIds } from '../../components/testIds';
import { accountForm, type AccountFormState, EMPTY_ACCOUNT, validateAccount } from './accountRules';
import { getStyles } from './styles';

interface Props {
  account?: Account;
  send: (form: AccountFormState) => Promise<Account | undefined>;
  state: ActionState<Account>;
  onClose: () => void;
  onSaved: (a: Account) => void;
}

const KINDS = [
  { label: 'Person', value: 'person' as const },
  { label: 'Fleet', value: 'fleet' as const },
];

/** Editors create an account or change one; the account store's checks run first. */
export function AccountForm({ account, send, state, onClose, onSaved }: Props) {
  const styles = useStyles2(getStyles);
  const [form, setForm] = useState<AccountFormState>(account ? accountForm(account) : EMPTY_ACCOUNT);
  const [tried, setTried] = useState(false);
  const errors = validateAccount(form);
  const shown = tried ? errors : {};
  const set = (key: keyof AccountFormState) => (e: React.FormEvent<HTMLInputElement | HTMLTextAreaElement>) =>
    setForm({ ...form, [key]: e.currentTarget.value });

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setTried(true);
    const saved = Object.keys(errors).length === 0 ? await send(form) : undefined;
    if (saved) {
      onSaved(saved);
    }
  };
  const text = (key: keyof AccountFormState, label: string, description?: string) => (
    <Field label={label} description={description} invalid={Boolean(shown[key])} error={shown[key]}>
      <Input
        id={`cw-account-${key}`}
        value={form[key]}
        onChange={set(key)}
        data-testid={testIds.access.accountField(key)}
      />
    </Field>
  );

  return (
    <form className={styles.form} onSubmit={submit} data-testid={testIds.access.accountForm} noValidate>
      <Field label="Kind">
        <RadioButtonGroup options={KINDS} value={form.kind} onChange={(kind) => setForm({ ...form, kind })} />
      </Field>
      {text('name', 'Name')}
      {text('contact', 'Contact (optional)', 'E-mail, phone or address')}
      {text('billingReference', 'Billing reference (optional)')}
      {text('currency', 'Currency (optional)', 'ISO 4217, e.g. EUR')}
      <Field label="Note (optional)" className={styles.wide} invalid={Boolean(shown.note)} error={shown.note}>
        <TextArea rows={2} value={form.note} onChange={set('note')} />
      </Field>
      {state.error && (
        <div className={styles.wide}>
          <Alert severity="error" title="The collector refused the account">
            {state.error.message}
          </Alert>
        </div>
      )}
      <div className={styles.actions}>
        <Button
          type="submit"
          icon={account ? 'save' : 'plus'}
          disabled={state.busy}
          data-testid={testIds.access.accountSubmit}
        >
          {account ? 'Save changes' : 'Create account'}
        </Button>
        <Button variant="secondary" fill="text" onClick={onClose}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
