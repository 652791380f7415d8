import React, { useState } from 'react';
import { Link } from 'react-router-dom';
import { Alert, Badge, Button, ConfirmModal, LoadingPlaceholder, useStyles2 } from '@grafana/ui';
import type { FirmwareRelease } from '../../api/firmwareTypes';
import type { useFirmwareCatalogue } from '../../data/useFirmwareCatalogue';
import { formatTime } from '../../utils/format';
import { firmwareUrl } from '../../routing/routes';
import { getTableStyles } from '../../components/common/tableStyles';
import { testIds } from '../../components/testIds';
import { firmwareViewParams, DEFAULT_VIEW } from './firmwareView';
import { ReleaseForm } from './ReleaseForm';
import { getStyles } from './styles';

interface Props {
  data: ReturnType<typeof useFirmwareCatalogue>;
  canEdit: boolean;
}

const matchLabel = (r: FirmwareRelease) =>
  r.versionMatch.mode === 'before' ? `before "${r.versionMatch.separator}"` : r.versionMatch.mode;

/** The release catalogue; Editors add releases, set a release as its model's target, start a campaign. */
export function Catalogue({ data, canEdit }: Props) {
  const styles = useStyles2(getStyles);
  const table = useStyles2(getTableStyles);
  const { releases, targets, addRelease, setTarget } = data;
  const [adding, setAdding] = useState(false);
  const [asking, setAsking] = useState<FirmwareRelease>();
  const isTarget = (r: FirmwareRelease) =>
    (targets.data ?? []).some((t) => t.vendor === r.vendor && t.model === r.model && t.releaseId === r.id);
  const currentTarget = (r: FirmwareRelease) =>
    (targets.data ?? []).find((t) => t.vendor === r.vendor && t.model === r.model);

  return (
    <div className={styles.stack} data-testid={testIds.firmware.catalogue}>
      {canEdit && !adding && (
        <div>
          <Button icon="plus" onClick={() => setAdding(true)} data-testid={testIds.firmware.addRelease}>
            Add release
          </Button>
        </div>
      )}
      {canEdit && adding && <ReleaseForm action={addRelease} onClose={() => setAdding(false)} />}
      {setTarget.error && (
        <Alert severity="error" title="Could not set the target" onRemove={setTarget.reset}>
          {setTarget.error.message}
        </Alert>
      )}
      {releases.error && (
        <Alert severity="error" title="Could not load the catalogue">
          {releases.error.message}
        </Alert>
      )}
      {!releases.data && !releases.error && <LoadingPlaceholder text="Loading releases…" />}
      {releases.data && (
        <table className={table.table} data-testid={testIds.firmware.releases}>
          <thead>
            <tr>
              <th>Vendor</th>
              <th>Model</th>
              <th>Version</th>
              <th>Match</th>
              <th>Signed</th>
              <th>Added</th>
              <th>By</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {releases.data.items.map((r) => (
              <tr key={r.id} data-testid={testIds.firmware.release(r.id)} data-target={isTarget(r) ? 'yes' : 'no'}>
                <td>{r.vendor}</td>
                <td>{r.model}</td>
                <td>
                  {r.version} {isTarget(r) && <Badge color="green" text="target" />}
                </td>
                <td>{matchLabel(r)}</td>
                <td>{r.signed ? 'yes' : 'no'}</td>
                <td>{formatTime(r.createdAt)}</td>
                <td>{r.createdBy}</td>
                <td>
                  {canEdit && !isTarget(r) && (
                    <Button size="sm" variant="secondary" disabled={setTarget.busy} onClick={() => setAsking(r)}>
                      Set as target
                    </Button>
                  )}{' '}
                  {canEdit && (
                    <Link
                      className={styles.link}
                      to={firmwareUrl(
                        firmwareViewParams({ ...DEFAULT_VIEW, tab: 'campaigns', create: true, releaseId: r.id })
                      )}
                    >
                      Start campaign
                    </Link>
                  )}
                </td>
              </tr>
            ))}
            {releases.data.items.length === 0 && (
              <tr>
                <td colSpan={8} className={table.empty}>
                  The catalogue is empty.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      )}
      {asking && (
        <ConfirmModal
          isOpen
          title={`Set ${asking.vendor} ${asking.model} ${asking.version} as the target`}
          body={
            currentTarget(asking)
              ? `Every ${asking.vendor} ${asking.model} should then run ${asking.version} instead of ${currentTarget(asking)?.version ?? `release ${currentTarget(asking)?.releaseId}`}; stations on other versions show as drift. Nothing is sent to stations.`
              : `Every ${asking.vendor} ${asking.model} should then run ${asking.version}; stations on other versions show as drift. Nothing is sent to stations.`
          }
          confirmText="Set as target"
          onConfirm={() => {
            setTarget.run(asking.vendor, asking.model, asking.id);
            setAsking(undefined);
          }}
          onDismiss={() => setAsking(undefined)}
        />
      )}
    </div>
  );
}
