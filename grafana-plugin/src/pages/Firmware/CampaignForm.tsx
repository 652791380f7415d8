import React, { useMemo, useState } from 'react';
import type { SelectableValue } from '@grafana/data';
import { Alert, Button, Field, Input, RadioButtonGroup, Select, useStyles2 } from '@grafana/ui';
import type { FirmwareRelease } from '../../api/firmwareTypes';
import type { useCampaignDraft } from '../../data/useFirmwareCampaigns';
import { testIds } from '../../components/testIds';
import {
  campaignBody,
  type CampaignFormState,
  DEFAULT_CAMPAIGN,
  previewBody,
  type SizeMode,
  validateCampaign,
} from './campaignRules';
import { CampaignPreview } from './CampaignPreview';
import { getStyles } from './styles';

interface Props {
  releases: FirmwareRelease[];
  draft: ReturnType<typeof useCampaignDraft>;
  initialReleaseId?: string;
  onClose: () => void;
}

const SIZE_MODES: Array<SelectableValue<SizeMode>> = [
  { label: 'Stations', value: 'count' },
  { label: '% of cohort', value: 'percent' },
];

/**
 * A new campaign: release, cohort, plan. "Preview" runs the collector's dry run; "Start campaign"
 * is offered only for the body that was previewed, so what starts is what was shown.
 */
export function CampaignForm({ releases, draft, initialReleaseId, onClose }: Props) {
  const styles = useStyles2(getStyles);
  const [form, setForm] = useState<CampaignFormState>({ ...DEFAULT_CAMPAIGN, releaseId: initialReleaseId ?? '' });
  const [tried, setTried] = useState<'preview' | 'create'>();
  const [previewed, setPreviewed] = useState<string>();
  const previewErrors = validateCampaign(form, false);
  const createErrors = validateCampaign(form, true);
  const shown = tried === 'create' ? createErrors : tried === 'preview' ? previewErrors : {};
  const key = JSON.stringify(Object.keys(previewErrors).length ? null : previewBody(form));
  const preview = draft.preview.result && previewed === key ? draft.preview.result : undefined;

  const options = useMemo(
    () =>
      releases.map((r) => ({
        label: `${r.vendor} ${r.model} ${r.version}`,
        value: r.id,
        description: `release ${r.id}`,
      })),
    [releases]
  );
  const set = (k: keyof CampaignFormState) => (e: React.FormEvent<HTMLInputElement>) =>
    setForm({ ...form, [k]: e.currentTarget.value });
  const field = (k: keyof CampaignFormState, label: string, description?: string, placeholder?: string) => (
    <Field label={label} description={description} invalid={Boolean(shown[k])} error={shown[k]}>
      <Input
        id={`cw-campaign-${k}`}
        value={form[k]}
        onChange={set(k)}
        placeholder={placeholder}
        data-testid={testIds.firmware.campaignField(k)}
      />
    </Field>
  );
  const sized = (k: 'canary' | 'waves', mode: 'canaryMode' | 'wavesMode', label: string) => (
    <Field label={label} invalid={Boolean(shown[k])} error={shown[k]}>
      <Input
        value={form[k]}
        onChange={set(k)}
        data-testid={testIds.firmware.campaignField(k)}
        addonAfter={
          <RadioButtonGroup
            size="sm"
            options={SIZE_MODES}
            value={form[mode]}
            onChange={(v) => setForm({ ...form, [mode]: v })}
          />
        }
      />
    </Field>
  );

  const runPreview = async () => {
    setTried('preview');
    if (Object.keys(previewErrors).length) {
      return;
    }
    setPreviewed(key);
    await draft.preview.run(previewBody(form));
  };
  const start = () => {
    setTried('create');
    if (Object.keys(createErrors).length || !preview) {
      return;
    }
    draft.create.run(campaignBody(form));
  };

  return (
    <div className={styles.stack} data-testid={testIds.firmware.campaignForm}>
      <div className={styles.form}>
        {field('name', 'Name')}
        <Field label="Release" invalid={Boolean(shown.releaseId)} error={shown.releaseId}>
          <Select
            inputId="cw-campaign-release"
            options={options}
            value={form.releaseId || null}
            onChange={(v) => setForm({ ...form, releaseId: v?.value ?? '' })}
            placeholder="Choose a release"
          />
        </Field>
        {field('sites', 'Sites', 'Empty: every site', 'Harbour, Depot')}
        {field('versions', 'Current versions', 'Empty: any version')}
        {field('tags', 'Tags', 'key=value or key; any of them')}
        {field('stations', 'Stations', 'Empty: every station the rest selects')}
        {field('exclude', 'Exclude stations')}
        {sized('canary', 'canaryMode', 'Canary')}
        {sized('waves', 'wavesMode', 'Each later wave')}
        {field('minVerifiedPercent', 'Gate: verified at least (%)')}
        {field('withinMin', 'Gate: within (minutes)', 'after the wave’s last send')}
        {field('maxFailedPercent', 'Gate: failed at most (%)')}
        {field('maxPerSite', 'At most per site at a time')}
        {field(
          'windows',
          'Maintenance windows',
          "Site's local time; empty: any time",
          'Mon,Tue 01:00-05:00; 22:00-02:00'
        )}
      </div>
      {draft.preview.error && (
        <Alert severity="error" title="The dry run failed">
          {draft.preview.error.message}
        </Alert>
      )}
      {preview && <CampaignPreview preview={preview} />}
      {draft.create.error && (
        <Alert severity="error" title="The campaign was not started">
          {draft.create.error.message}
        </Alert>
      )}
      <div className={styles.actions}>
        <Button
          variant="secondary"
          icon="eye"
          onClick={runPreview}
          disabled={draft.preview.busy}
          data-testid={testIds.firmware.previewButton}
        >
          Preview
        </Button>
        <Button
          icon="play"
          onClick={start}
          disabled={!preview || preview.selected === 0 || draft.create.busy}
          tooltip={preview ? undefined : 'Preview the cohort and its waves first'}
          data-testid={testIds.firmware.startButton}
        >
          Start campaign
        </Button>
        <Button variant="secondary" fill="text" onClick={onClose}>
          Cancel
        </Button>
      </div>
    </div>
  );
}
