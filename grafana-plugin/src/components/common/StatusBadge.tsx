import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2, useTheme2 } from '@grafana/ui';
import { statusLabel } from '@chargewatch/model/status';
import { statusColor } from '../../utils/status';

interface Props {
  status: string;
  /** shown after the status, e.g. an OCPP error code */
  detail?: string;
}

/** Coloured pill for an OCPP connector status. */
export function StatusBadge({ status, detail }: Props) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const bg = statusColor(theme, status);
  return (
    <span
      className={styles.badge}
      style={{ background: bg, color: theme.colors.getContrastText(bg) }}
      data-status={status}
      title={detail ? `${status}: ${detail}` : status}
    >
      {statusLabel(status)}
      {detail && detail !== 'NoError' ? ` · ${detail}` : ''}
    </span>
  );
}

/** Online/offline pill for a station's websocket connection. */
export function OnlineBadge({ online }: { online: boolean }) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const bg = online ? theme.colors.success.main : theme.colors.error.main;
  return (
    <span className={styles.badge} style={{ background: bg, color: theme.colors.getContrastText(bg) }}>
      {online ? 'Online' : 'Offline'}
    </span>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  badge: css({
    display: 'inline-block',
    padding: theme.spacing(0.25, 1),
    borderRadius: theme.shape.radius.pill,
    fontSize: theme.typography.bodySmall.fontSize,
    fontWeight: theme.typography.fontWeightMedium,
    whiteSpace: 'nowrap',
    lineHeight: 1.6,
  }),
});
