import React, { useMemo } from 'react';
import { Link } from 'react-router-dom';
import { Alert, Button, LoadingPlaceholder, Pagination, useStyles2 } from '@grafana/ui';
import type { useFirmwareOverview } from '../../data/useFirmwareOverview';
import { formatInt } from '../../utils/format';
import { stationUrl } from '../../routing/routes';
import { getTableStyles } from '../../components/common/tableStyles';
import { testIds } from '../../components/testIds';
import { DRIFT_PAGE_SIZE } from './firmwareView';
import { groupInventory } from './inventory';
import { getStyles } from './styles';
import { VersionChart } from './VersionChart';

interface Props {
  data: ReturnType<typeof useFirmwareOverview>;
  driftPage: number;
  driftModel?: string;
  onDriftPage: (page: number) => void;
  onDriftModel: (key: string | undefined) => void;
}

/** Versions per model (chart), on/off target per vendor/model, and the stations off target. */
export function Overview({ data, driftPage, driftModel, onDriftPage, onDriftModel }: Props) {
  const styles = useStyles2(getStyles);
  const table = useStyles2(getTableStyles);
  const { inventory, targets, drift } = data;
  const models = useMemo(
    () => groupInventory(inventory.data?.groups ?? [], targets.data ?? []),
    [inventory.data, targets.data]
  );
  const pages = Math.ceil((drift.data?.total ?? 0) / DRIFT_PAGE_SIZE);

  return (
    <div className={styles.stack} data-testid={testIds.firmware.overview}>
      {inventory.error && (
        <Alert severity="error" title="Could not load the firmware inventory">
          {inventory.error.message}
        </Alert>
      )}
      <section>
        <h3 className={styles.h3}>Versions per model</h3>
        {!inventory.data && !inventory.error && <LoadingPlaceholder text="Loading inventory…" />}
        {inventory.data && models.length === 0 && (
          <div className={table.empty}>No station has reported a model yet.</div>
        )}
        {models.length > 0 && <VersionChart models={models} />}
      </section>

      {models.length > 0 && (
        <section>
          <h3 className={styles.h3}>On and off target</h3>
          <table className={table.table} data-testid={testIds.firmware.models}>
            <thead>
              <tr>
                <th>Vendor</th>
                <th>Model</th>
                <th>Target</th>
                <th className={table.numeric}>Stations</th>
                <th className={table.numeric}>On target</th>
                <th className={table.numeric}>Off target</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {models.map((m) => (
                <tr key={m.key} data-testid={testIds.firmware.model(m.key)}>
                  <td>{m.vendor}</td>
                  <td>{m.model}</td>
                  <td>
                    {m.target ? (
                      (m.target.version ?? `release ${m.target.releaseId}`)
                    ) : (
                      <span className={table.muted}>none</span>
                    )}
                  </td>
                  <td className={table.numeric} data-cell="total">
                    {formatInt(m.total)}
                  </td>
                  <td className={table.numeric} data-cell="on">
                    {m.target ? formatInt(m.onTarget) : '–'}
                  </td>
                  <td className={table.numeric} data-cell="off">
                    {m.target ? formatInt(m.offTarget) : '–'}
                  </td>
                  <td>
                    {m.target && m.offTarget > 0 && (
                      <Button size="sm" variant="secondary" fill="text" onClick={() => onDriftModel(m.key)}>
                        Show drift
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}

      <section>
        <div className={styles.sectionHeader}>
          <h3>Drift: stations off their target</h3>
          {driftModel && (
            <Button size="sm" variant="secondary" fill="text" icon="times" onClick={() => onDriftModel(undefined)}>
              {driftModel}
            </Button>
          )}
          <span className={table.muted} data-testid={testIds.firmware.driftTotal}>
            {drift.data ? `${formatInt(drift.data.total)} stations` : ''}
          </span>
        </div>
        {drift.error && (
          <Alert severity="error" title="Could not load the drift list">
            {drift.error.message}
          </Alert>
        )}
        {drift.data && (
          <table className={table.table} data-testid={testIds.firmware.drift}>
            <thead>
              <tr>
                <th>Station</th>
                <th>Connection</th>
                <th>Vendor</th>
                <th>Model</th>
                <th>Running</th>
                <th>Target</th>
              </tr>
            </thead>
            <tbody>
              {drift.data.items.map((d) => (
                <tr key={d.stationId} data-testid={testIds.firmware.driftRow(d.stationId)}>
                  <td>
                    <Link className={styles.link} to={stationUrl(d.stationId)}>
                      {d.stationId}
                    </Link>
                  </td>
                  <td>{d.online ? 'online' : 'offline'}</td>
                  <td>{d.vendor}</td>
                  <td>{d.model}</td>
                  <td>{d.version ?? '–'}</td>
                  <td>{d.targetVersion ?? '–'}</td>
                </tr>
              ))}
              {drift.data.items.length === 0 && (
                <tr>
                  <td colSpan={6} className={table.empty}>
                    Every station with a target runs it.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        )}
        <div className={styles.pager}>
          <Pagination
            currentPage={driftPage + 1}
            numberOfPages={pages}
            onNavigate={(p) => onDriftPage(p - 1)}
            hideWhenSinglePage
          />
        </div>
      </section>
    </div>
  );
}
