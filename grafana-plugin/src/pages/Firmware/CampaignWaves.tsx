import React from 'react';
import { cx } from '@emotion/css';
import { useStyles2 } from '@grafana/ui';
import type { CampaignWaveView, FirmwareCampaign } from '../../api/firmwareTypes';
import { formatDuration, formatInt } from '../../utils/format';
import { testIds } from '../../components/testIds';
import { waveName } from './CampaignPreview';
import { getStyles } from './styles';

export const DEFER_LABELS: Record<string, string> = {
  offline: 'offline',
  charging: 'charging',
  outside_window: 'outside the maintenance window',
  site_busy: 'site at its limit',
};

/** One card per wave: its tally, its gate's figures against the plan's thresholds, and why stations wait. */
export function CampaignWaves({ campaign, waves }: { campaign: FirmwareCampaign; waves: CampaignWaveView[] }) {
  const styles = useStyles2(getStyles);
  const gate = campaign.plan.gate;
  return (
    <div className={styles.cards}>
      {waves.map((w) => {
        const current =
          w.index === campaign.currentWave && (campaign.status === 'running' || campaign.status === 'paused');
        const tone = w.gate.decision === 'pass' ? styles.pass : w.gate.decision === 'fail' ? styles.fail : styles.wait;
        const figure = (key: 'size' | 'verified' | 'failed' | 'updating' | 'pending', label: string) => (
          <div className={styles.figure}>
            <span>{label}</span>
            <span data-testid={testIds.firmware.waveFigure(w.index, key)}>{formatInt(w.tally[key])}</span>
          </div>
        );
        const deferred = Object.entries(w.deferred).filter(([, n]) => n);
        return (
          <div
            key={w.index}
            className={styles.card}
            data-testid={testIds.firmware.wave(w.index)}
            data-gate={w.gate.decision}
          >
            <h4 className={styles.cardTitle}>
              {waveName(w.index)}
              {current ? ' · current' : ''}
            </h4>
            {figure('size', 'Stations')}
            {figure('verified', 'Verified')}
            {figure('failed', 'Failed')}
            {figure('updating', 'Updating')}
            {figure('pending', 'Pending')}
            <div className={cx(styles.figure, tone)}>
              <span>Gate</span>
              <span data-testid={testIds.firmware.waveFigure(w.index, 'gate')}>{w.gate.decision}</span>
            </div>
            <div className={styles.figure}>
              <span>Verified</span>
              <span data-testid={testIds.firmware.waveFigure(w.index, 'verifiedPercent')}>
                {w.gate.verifiedPercent}% of ≥ {gate.minVerifiedPercent}%
              </span>
            </div>
            <div className={styles.figure}>
              <span>Failed</span>
              <span data-testid={testIds.firmware.waveFigure(w.index, 'failedPercent')}>
                {w.gate.failedPercent}% of ≤ {gate.maxFailedPercent}%
              </span>
            </div>
            <div className={cx(styles.figure, styles.muted)}>
              <span>Within</span>
              <span>{formatDuration(gate.withinSec)}</span>
            </div>
            {w.gate.reason && <div className={styles.fail}>{w.gate.reason}</div>}
            {deferred.length > 0 && (
              <div className={styles.muted}>
                Waiting: {deferred.map(([r, n]) => `${n} ${DEFER_LABELS[r] ?? r}`).join(', ')}
              </div>
            )}
          </div>
        );
      })}
    </div>
  );
}
