import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';

/** Styles shared by the parts of the Access page. */
export const getStyles = (theme: GrafanaTheme2) => ({
  page: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(2) }),
  stack: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(2) }),
  header: css({
    display: 'flex',
    justifyContent: 'space-between',
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
  }),
  toolbar: css({ display: 'flex', flexWrap: 'wrap', gap: theme.spacing(1), alignItems: 'center' }),
  filters: css({ display: 'flex', flexWrap: 'wrap', gap: theme.spacing(1, 2), alignItems: 'flex-end' }),
  field: css({ marginBottom: 0 }),
  h3: css({ margin: theme.spacing(1, 0) }),
  link: css({ color: theme.colors.text.link, cursor: 'pointer', background: 'none', border: 0, padding: 0 }),
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
  fields: css({
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    gap: theme.spacing(0.5, 2),
    margin: 0,
    dt: { color: theme.colors.text.secondary },
    dd: { margin: 0, wordBreak: 'break-word' },
  }),
  columns: css({
    display: 'grid',
    gridTemplateColumns: 'minmax(320px, 1fr) minmax(320px, 1fr)',
    gap: theme.spacing(3),
    alignItems: 'start',
  }),
  mono: css({ fontFamily: theme.typography.fontFamilyMonospace }),
  muted: css({ color: theme.colors.text.secondary }),
  problems: css({ margin: 0, paddingLeft: theme.spacing(2) }),
});
