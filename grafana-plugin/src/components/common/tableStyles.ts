import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';

/** Plain, dense table styling consistent with Grafana's theme. */
export const getTableStyles = (theme: GrafanaTheme2) => ({
  table: css({
    width: '100%',
    borderCollapse: 'collapse',
    fontSize: theme.typography.body.fontSize,
    'th, td': {
      padding: theme.spacing(0.75, 1),
      borderBottom: `1px solid ${theme.colors.border.weak}`,
      textAlign: 'left',
      verticalAlign: 'middle',
    },
    th: {
      color: theme.colors.text.secondary,
      fontWeight: theme.typography.fontWeightMedium,
      whiteSpace: 'nowrap',
      background: theme.colors.background.secondary,
    },
    'tbody tr:hover': {
      background: theme.colors.action.hover,
    },
  }),
  numeric: css({
    textAlign: 'right !important' as 'right',
    fontVariantNumeric: 'tabular-nums',
  }),
  muted: css({
    color: theme.colors.text.secondary,
  }),
  empty: css({
    padding: theme.spacing(2),
    color: theme.colors.text.secondary,
    textAlign: 'center',
  }),
});
