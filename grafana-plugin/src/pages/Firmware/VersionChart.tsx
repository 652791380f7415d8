import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2, useTheme2 } from '@grafana/ui';
import { formatInt } from '../../utils/format';
import { testIds } from '../../components/testIds';
import type { ModelInventory, VersionCount } from './inventory';

interface Props {
  models: ModelInventory[];
}

const ROW = 34;
const LABEL = 230;
const COUNT = 70;
const WIDTH = 940;

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/**
 * Stations per firmware version, one horizontal bar per vendor/model scaled to the largest model,
 * one segment per version: green on the target, orange off it, blue where the model has no target.
 * Plain SVG, as the status grid draws its own cells.
 */
export function VersionChart({ models }: Props) {
  const styles = useStyles2(getStyles);
  const theme = useTheme2();
  const max = Math.max(1, ...models.map((m) => m.total));
  const span = WIDTH - LABEL - COUNT;
  const fill = (v: VersionCount, i: number) =>
    v.target === 'on'
      ? theme.visualization.getColorByName('green')
      : v.target === 'off'
        ? theme.visualization.getColorByName(i % 2 ? 'orange' : 'semi-dark-orange')
        : theme.visualization.getColorByName(i % 2 ? 'super-light-blue' : 'light-blue');

  return (
    <svg
      className={styles.svg}
      viewBox={`0 0 ${WIDTH} ${models.length * ROW + 4}`}
      role="img"
      aria-label="Stations per firmware version and model"
      data-testid={testIds.firmware.chart}
    >
      {models.map((m, row) => {
        let x = LABEL;
        const y = row * ROW + 4;
        return (
          <g key={m.key}>
            <text x={0} y={y + 18} className={styles.label}>
              {clip(`${m.vendor} ${m.model}`, 30)}
              <title>{`${m.vendor} ${m.model}`}</title>
            </text>
            {m.versions.map((v, i) => {
              const w = (v.stations / max) * span;
              const at = x;
              x += w;
              return (
                <g key={v.version} data-testid={testIds.firmware.bar(m.key, v.version)} data-stations={v.stations}>
                  <rect x={at} y={y} width={Math.max(w - 1, 1)} height={ROW - 8} rx={2} fill={fill(v, i)}>
                    <title>{`${m.vendor} ${m.model} ${v.version}: ${v.stations} stations${v.target === 'on' ? ' (target)' : ''}`}</title>
                  </rect>
                  {w > 8 * v.version.length + 12 && (
                    <text x={at + 6} y={y + 18} className={styles.segment}>
                      {v.version}
                    </text>
                  )}
                </g>
              );
            })}
            <text x={x + 8} y={y + 18} className={styles.count}>
              {formatInt(m.total)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  svg: css({ width: '100%', maxWidth: WIDTH, height: 'auto', display: 'block' }),
  label: css({ fill: theme.colors.text.primary, fontSize: 13 }),
  segment: css({ fill: theme.colors.background.canvas, fontSize: 12, fontWeight: theme.typography.fontWeightMedium }),
  count: css({ fill: theme.colors.text.secondary, fontSize: 12 }),
});
