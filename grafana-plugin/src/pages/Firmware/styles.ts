import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';

/** Styles shared by the parts of the Firmware pages. */
export const getStyles = (theme: GrafanaTheme2) => ({
  page: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(2) }),
  stack: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(3) }),
  header: css({
    display: 'flex',
    justifyContent: 'space-between',
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
  }),
  h3: css({ margin: theme.spacing(0, 0, 1, 0) }),
  sectionHeader: css({
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(2),
    marginBottom: theme.spacing(1),
    h3: { margin: 0 },
  }),
  link: css({ color: theme.colors.text.link }),
  pager: css({ display: 'flex', justifyContent: 'center', marginTop: theme.spacing(1) }),
  form: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(260px, 1fr))',
    gap: theme.spacing(1, 2),
    padding: theme.spacing(2),
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    background: theme.colors.background.secondary,
  }),
  wide: css({ gridColumn: '1 / -1' }),
  actions: css({ display: 'flex', gap: theme.spacing(1), alignItems: 'center', gridColumn: '1 / -1' }),
  cards: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(240px, 1fr))',
    gap: theme.spacing(1.5),
  }),
  card: css({
    padding: theme.spacing(1.5),
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    background: theme.colors.background.secondary,
  }),
  cardTitle: css({ margin: theme.spacing(0, 0, 1, 0), fontSize: theme.typography.h5.fontSize }),
  figure: css({ display: 'flex', justifyContent: 'space-between', fontVariantNumeric: 'tabular-nums' }),
  muted: css({ color: theme.colors.text.secondary }),
  pass: css({ color: theme.colors.success.text }),
  fail: css({ color: theme.colors.error.text }),
  wait: css({ color: theme.colors.warning.text }),
});
