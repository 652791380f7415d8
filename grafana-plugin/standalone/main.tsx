// Standalone harness: the plugin's real pages and panel, with real @grafana/ui, outside Grafana.
import React, { useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Navigate, NavLink, Route, Routes } from 'react-router-dom';
import { css } from '@emotion/css';
import {
  createTheme,
  getDefaultTimeRange,
  LoadingState,
  toDataFrame,
  type DataFrame,
  type GrafanaTheme2,
  type PanelProps,
} from '@grafana/data';
import { setBackendSrv } from '@grafana/runtime';
import {
  Alert,
  GlobalStyles,
  InlineField,
  InlineSwitch,
  RadioButtonGroup,
  ThemeContext,
  useStyles2,
} from '@grafana/ui';
import { AppRoutes } from '../src/routing/AppRoutes';
import { StatusGridPanel } from '../src/panels/statusgrid/StatusGridPanel';
import { DEFAULT_OPTIONS, type StatusGridOptions } from '../src/panels/statusgrid/types';
import { REFRESH_INTERVAL_MS } from '../src/constants';
import { accessUrl, firmwareUrl, fleetUrl, prefixRoute } from '../src/routing/routes';
import { createFetchBackendSrv } from './backendSrv';

setBackendSrv(createFetchBackendSrv());

const params = new URLSearchParams(window.location.search);
const theme = createTheme({ colors: { mode: params.get('theme') === 'light' ? 'light' : 'dark' } });

interface GridResponse {
  frames: Array<Parameters<typeof toDataFrame>[0]>;
  fetchedAt: string;
}

function useStatusFrames(paused: boolean) {
  const [state, setState] = useState<{ frames?: DataFrame[]; error?: string; fetchedAt?: string }>({});
  useEffect(() => {
    let cancelled = false;
    const load = async () => {
      try {
        const res = await fetch('/standalone/api/status-grid');
        const body = await res.json();
        if (!res.ok) {
          throw new Error(body?.message ?? `HTTP ${res.status}`);
        }
        const data = body as GridResponse;
        if (!cancelled) {
          setState({ frames: data.frames.map((f) => toDataFrame(f)), fetchedAt: data.fetchedAt });
        }
      } catch (e) {
        if (!cancelled) {
          setState((s) => ({ ...s, error: e instanceof Error ? e.message : String(e) }));
        }
      }
    };
    load();
    const timer = paused ? undefined : setInterval(load, REFRESH_INTERVAL_MS);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [paused]);
  return state;
}

function useWindowSize() {
  const [size, setSize] = useState({ width: window.innerWidth, height: window.innerHeight });
  useEffect(() => {
    const onResize = () => setSize({ width: window.innerWidth, height: window.innerHeight });
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, []);
  return size;
}

const CELL_SIZES = [
  { label: 'S', value: 70 },
  { label: 'M', value: 110 },
  { label: 'L', value: 160 },
];

function StatusGridHarness() {
  const styles = useStyles2(getStyles);
  const [options, setOptions] = useState<StatusGridOptions>(DEFAULT_OPTIONS);
  const { frames, error, fetchedAt } = useStatusFrames(false);
  const { width, height } = useWindowSize();
  const data = useMemo(
    () => ({
      series: frames ?? [],
      state: frames ? LoadingState.Done : LoadingState.Loading,
      timeRange: getDefaultTimeRange(),
    }),
    [frames]
  );
  const panelProps = {
    data,
    options,
    width: Math.max(320, width - 48),
    height: Math.max(300, height - 150),
  } as unknown as PanelProps<StatusGridOptions>;

  return (
    <div className={styles.panelPage}>
      <div className={styles.panelToolbar}>
        <h2 className={styles.h2}>Connector status grid</h2>
        <InlineField label="Cell size">
          <RadioButtonGroup
            size="sm"
            options={CELL_SIZES}
            value={options.cellSize}
            onChange={(cellSize) => setOptions({ ...options, cellSize })}
          />
        </InlineField>
        <InlineField label="Labels">
          <InlineSwitch
            value={options.showLabels}
            onChange={() => setOptions({ ...options, showLabels: !options.showLabels })}
          />
        </InlineField>
        <InlineField label="Group by site">
          <InlineSwitch
            value={options.groupBySite}
            onChange={() => setOptions({ ...options, groupBySite: !options.groupBySite })}
          />
        </InlineField>
        <span className={styles.muted}>
          {fetchedAt ? `Prometheus sample ${fetchedAt.slice(11, 19)} UTC` : 'Loading…'}
        </span>
      </div>
      {error && (
        <Alert severity="error" title="Could not query Prometheus">
          {error}
        </Alert>
      )}
      {frames && <StatusGridPanel {...panelProps} />}
    </div>
  );
}

function Shell() {
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.shell}>
      <nav className={styles.nav}>
        <span className={styles.brand}>⚡ ChargeWatch</span>
        <NavLink to={fleetUrl()} className={({ isActive }) => (isActive ? styles.active : styles.link)}>
          Fleet health
        </NavLink>
        <NavLink to={firmwareUrl()} className={({ isActive }) => (isActive ? styles.active : styles.link)}>
          Firmware
        </NavLink>
        <NavLink to={accessUrl()} className={({ isActive }) => (isActive ? styles.active : styles.link)}>
          Access
        </NavLink>
        <NavLink to="/standalone/status-grid" className={({ isActive }) => (isActive ? styles.active : styles.link)}>
          Status grid panel
        </NavLink>
        <span className={styles.muted}>standalone harness · not Grafana</span>
      </nav>
      <main className={styles.main}>
        <Routes>
          <Route path={prefixRoute('*')} element={<AppRoutes />} />
          <Route path="/standalone/status-grid" element={<StatusGridHarness />} />
          <Route path="*" element={<Navigate to={fleetUrl()} replace />} />
        </Routes>
      </main>
    </div>
  );
}

const getStyles = (t: GrafanaTheme2) => ({
  shell: css({ minHeight: '100vh', background: t.colors.background.canvas }),
  nav: css({
    display: 'flex',
    alignItems: 'center',
    gap: t.spacing(3),
    padding: t.spacing(1, 3),
    background: t.colors.background.primary,
    borderBottom: `1px solid ${t.colors.border.weak}`,
  }),
  brand: css({ fontWeight: t.typography.fontWeightBold, fontSize: t.typography.h4.fontSize }),
  link: css({ color: t.colors.text.secondary, '&:hover': { color: t.colors.text.primary } }),
  active: css({
    color: t.colors.text.primary,
    fontWeight: t.typography.fontWeightMedium,
    borderBottom: `2px solid ${t.colors.primary.main}`,
  }),
  muted: css({ color: t.colors.text.secondary, marginLeft: 'auto', fontSize: t.typography.bodySmall.fontSize }),
  main: css({ padding: t.spacing(2, 3) }),
  panelPage: css({ display: 'flex', flexDirection: 'column', gap: t.spacing(1.5) }),
  panelToolbar: css({ display: 'flex', alignItems: 'center', gap: t.spacing(2), flexWrap: 'wrap' }),
  h2: css({ margin: 0 }),
});

createRoot(document.getElementById('root')!).render(
  <ThemeContext.Provider value={theme}>
    <GlobalStyles />
    <BrowserRouter future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
      <Shell />
    </BrowserRouter>
  </ThemeContext.Provider>
);
