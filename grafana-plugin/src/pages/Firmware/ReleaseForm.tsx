import React, { useState } from 'react';
import { Alert, Button, Field, Input, RadioButtonGroup, TextArea, useStyles2 } from '@grafana/ui';
import type { FirmwareRelease, NewFirmwareRelease } from '../../api/firmwareTypes';
import type { ActionState } from '../../data/useFirmwareAction';
import { testIds } from '../../components/testIds';
import { EMPTY_RELEASE, RELEASE_LIMITS, releaseBody, type ReleaseFormState, validateRelease } from './releaseRules';
import { getStyles } from './styles';

interface Props {
  action: ActionState<FirmwareRelease> & { run: (r: NewFirmwareRelease) => Promise<FirmwareRelease | undefined> };
  onClose: () => void;
}

const MATCH_OPTIONS = [
  { label: 'Exact', value: 'exact' as const, description: 'The station reports exactly this version' },
  { label: 'Prefix', value: 'prefix' as const, description: '1.2 matches 1.2-b7 and 1.2 (EU), not 1.20' },
  {
    label: 'Before separator',
    value: 'before' as const,
    description: 'Compare up to a separator, e.g. 289/1.5.2 with /',
  },
];

/** Editors add a release to the catalogue; the collector's limits are checked before it is sent. */
export function ReleaseForm({ action, onClose }: Props) {
  const styles = useStyles2(getStyles);
  const [form, setForm] = useState<ReleaseFormState>(EMPTY_RELEASE);
  const [tried, setTried] = useState(false);
  const errors = validateRelease(form);
  const shown = tried ? errors : {};
  const set = (key: keyof ReleaseFormState) => (e: React.FormEvent<HTMLInputElement | HTMLTextAreaElement>) =>
    setForm({ ...form, [key]: e.currentTarget.value });

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (Object.keys(errors).length) {
      return;
    }
    if (await action.run(releaseBody(form))) {
      setForm(EMPTY_RELEASE);
      setTried(false);
      onClose();
    }
  };

  const text = (key: keyof typeof RELEASE_LIMITS | 'checksum' | 'separator', label: string, description?: string) => (
    <Field label={label} description={description} invalid={Boolean(shown[key])} error={shown[key]}>
      <Input
        id={`cw-release-${key}`}
        value={form[key]}
        onChange={set(key)}
        data-testid={testIds.firmware.releaseField(key)}
      />
    </Field>
  );

  return (
    <form className={styles.form} onSubmit={submit} data-testid={testIds.firmware.releaseForm} noValidate>
      {text('vendor', 'Vendor', 'As the station reports it at boot')}
      {text('model', 'Model')}
      {text('version', 'Version')}
      {text('location', 'Download URL')}
      {text('checksum', 'SHA-256 (optional)')}
      {text('minPriorVersion', 'Minimum prior version (optional)', 'Stations below it are left out of campaigns')}
      <Field label="Version match" className={styles.wide}>
        <RadioButtonGroup
          options={MATCH_OPTIONS}
          value={form.matchMode}
          onChange={(matchMode) => setForm({ ...form, matchMode })}
        />
      </Field>
      {form.matchMode === 'before' && text('separator', 'Separator')}
      <Field
        label="Signing certificate (PEM, optional)"
        invalid={Boolean(shown.signingCertificate)}
        error={shown.signingCertificate}
      >
        <TextArea rows={3} value={form.signingCertificate} onChange={set('signingCertificate')} />
      </Field>
      <Field label="Signature (base64, optional)" invalid={Boolean(shown.signature)} error={shown.signature}>
        <TextArea rows={3} value={form.signature} onChange={set('signature')} />
      </Field>
      <Field
        label="Release notes (optional)"
        className={styles.wide}
        invalid={Boolean(shown.releaseNotes)}
        error={shown.releaseNotes}
      >
        <TextArea rows={2} value={form.releaseNotes} onChange={set('releaseNotes')} />
      </Field>
      {action.error && (
        <div className={styles.wide}>
          <Alert severity="error" title="The collector refused the release">
            {action.error.message}
          </Alert>
        </div>
      )}
      <div className={styles.actions}>
        <Button type="submit" icon="plus" disabled={action.busy} data-testid={testIds.firmware.releaseSubmit}>
          Add release
        </Button>
        <Button variant="secondary" fill="text" onClick={onClose}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
