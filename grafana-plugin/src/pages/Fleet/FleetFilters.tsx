import React, { useEffect, useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2, SelectableValue } from '@grafana/data';
import { Field, Icon, Input, RadioButtonGroup, Select, useStyles2 } from '@grafana/ui';
import { CONNECTOR_STATUSES, type ConnectorStatus, statusLabel } from '@chargewatch/model/status';
import type { StationFacets } from '../../api/types';
import { testIds } from '../../components/testIds';
import type { FleetFilterState, OnlineFilter } from './fleetView';

interface Props {
  value: FleetFilterState;
  facets?: StationFacets;
  onChange: (next: FleetFilterState) => void;
  /** debounce for the search box */
  searchDelayMs?: number;
}

const toOptions = (values: string[] = []): Array<SelectableValue<string>> =>
  values.map((v) => ({ label: v, value: v }));

const ONLINE_OPTIONS: Array<SelectableValue<OnlineFilter>> = [
  { label: 'All', value: 'all' },
  { label: 'Online', value: 'online' },
  { label: 'Offline', value: 'offline' },
];

const STATUS_OPTIONS: Array<SelectableValue<ConnectorStatus>> = CONNECTOR_STATUSES.map((s) => ({
  label: statusLabel(s),
  value: s,
}));

export function FleetFilters({ value, facets, onChange, searchDelayMs = 300 }: Props) {
  const styles = useStyles2(getStyles);
  const [search, setSearch] = useState(value.q);
  const [appliedQ, setAppliedQ] = useState(value.q);

  // keep the box in sync when the filters change from outside (e.g. "Clear filters")
  if (value.q !== appliedQ) {
    setAppliedQ(value.q);
    setSearch(value.q);
  }

  useEffect(() => {
    if (search === value.q) {
      return;
    }
    const timer = setTimeout(() => onChange({ ...value, q: search }), searchDelayMs);
    return () => clearTimeout(timer);
  }, [search, value, onChange, searchDelayMs]);

  const select = (key: 'site' | 'vendor' | 'model' | 'firmware', label: string, options: string[] | undefined) => (
    <Field label={label} className={styles.field}>
      <Select
        inputId={`cw-filter-${key}`}
        aria-label={`Filter by ${label.toLowerCase()}`}
        width={22}
        isClearable
        placeholder="All"
        options={toOptions(options)}
        value={value[key] ?? null}
        onChange={(v) => onChange({ ...value, [key]: v?.value ?? undefined })}
      />
    </Field>
  );

  return (
    <div className={styles.row}>
      <Field label="Search" className={styles.field}>
        <Input
          data-testid={testIds.fleet.search}
          aria-label="Search stations"
          placeholder="Station id, serial or site"
          width={30}
          prefix={<Icon name="search" />}
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
        />
      </Field>
      {select('site', 'Site', facets?.sites)}
      {select('vendor', 'Vendor', facets?.vendors)}
      {select('model', 'Model', facets?.models)}
      {select('firmware', 'Firmware', facets?.firmwareVersions)}
      <Field label="Connection" className={styles.field}>
        <RadioButtonGroup
          options={ONLINE_OPTIONS}
          value={value.online}
          onChange={(online) => onChange({ ...value, online: online ?? 'all' })}
        />
      </Field>
      <Field label="Connector status" className={styles.field}>
        <Select
          inputId="cw-filter-status"
          aria-label="Filter by connector status"
          width={22}
          isClearable
          placeholder="Any"
          options={STATUS_OPTIONS}
          value={value.status ?? null}
          onChange={(v) => onChange({ ...value, status: v?.value ?? undefined })}
        />
      </Field>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  row: css({
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(1, 2),
    alignItems: 'flex-end',
  }),
  field: css({
    marginBottom: 0,
  }),
});
