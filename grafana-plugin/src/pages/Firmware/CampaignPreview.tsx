import React from 'react';
import { useStyles2 } from '@grafana/ui';
import type { CampaignPreview as Preview, CohortSkip } from '../../api/firmwareTypes';
import { formatInt } from '../../utils/format';
import { getTableStyles } from '../../components/common/tableStyles';
import { testIds } from '../../components/testIds';
import { getStyles } from './styles';

export const SKIP_LABELS: Record<CohortSkip, string> = {
  excluded: 'excluded by the cohort',
  other_vendor_model: 'another vendor or model than the release',
  on_target: 'already on the release',
  below_min_prior_version: "below the release's minimum prior version",
};

export const waveName = (index: number) => (index === 0 ? 'Canary' : `Wave ${index}`);

/** The dry run: how many stations the campaign takes, which it leaves out and why, and its waves. */
export function CampaignPreview({ preview }: { preview: Preview }) {
  const styles = useStyles2(getStyles);
  const table = useStyles2(getTableStyles);
  const skipped = Object.entries(preview.skipped) as Array<[CohortSkip, number]>;
  return (
    <section data-testid={testIds.firmware.preview} className={styles.stack}>
      <div>
        <h4 className={styles.h3}>
          Dry run: <span data-testid={testIds.firmware.previewSelected}>{formatInt(preview.selected)}</span> stations to{' '}
          {preview.release.vendor} {preview.release.model} {preview.release.version}, in {preview.waves.length}{' '}
          {preview.waves.length === 1 ? 'wave' : 'waves'}
        </h4>
        {skipped.length > 0 && (
          <ul className={styles.muted}>
            {skipped.map(([reason, n]) => (
              <li key={reason} data-testid={testIds.firmware.previewSkipped(reason)} data-count={n}>
                {formatInt(n)} left out: {SKIP_LABELS[reason] ?? reason}
              </li>
            ))}
          </ul>
        )}
      </div>
      <table className={table.table}>
        <thead>
          <tr>
            <th>Wave</th>
            <th className={table.numeric}>Stations</th>
            <th className={table.numeric}>Sites</th>
            <th>First stations</th>
          </tr>
        </thead>
        <tbody>
          {preview.waves.map((w) => (
            <tr key={w.index} data-testid={testIds.firmware.previewWave(w.index)} data-size={w.size}>
              <td>{waveName(w.index)}</td>
              <td className={table.numeric}>{formatInt(w.size)}</td>
              <td className={table.numeric}>{formatInt(w.sites)}</td>
              <td className={table.muted}>
                {w.sample.join(', ')}
                {w.size > w.sample.length ? ` … ${formatInt(w.size - w.sample.length)} more` : ''}
              </td>
            </tr>
          ))}
          {preview.waves.length === 0 && (
            <tr>
              <td colSpan={4} className={table.empty}>
                The cohort selects no station that needs this release.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
