import React, { useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2, SelectableValue } from '@grafana/data';
import { Button, ConfirmModal, RadioButtonGroup, useStyles2 } from '@grafana/ui';
import type { StationDetail } from '../../api/types';
import type { useStationOperation } from '../../data/useCommands';
import { testIds } from '../../components/testIds';
import { CommandResult } from './CommandResult';
import {
  availabilityRequest,
  confirmationOf,
  type OperationRequest,
  parseTargetKey,
  portTargets,
  resetRequest,
  type Target,
  targetKey,
  TRIGGER_OPTIONS,
  type TriggerChoice,
  triggerRequest,
  unlockRequest,
} from './commandRequests';
import { getStyles } from './styles';

type Operation = ReturnType<typeof useStationOperation>;

interface Props {
  station: StationDetail;
  operation: Operation;
}

const RESET_OPTIONS: Array<SelectableValue<'soft' | 'hard'>> = [
  { label: 'Soft', value: 'soft', description: 'Restart gracefully, ending sessions first' },
  { label: 'Hard', value: 'hard', description: 'Restart at once' },
];
const AVAILABILITY_OPTIONS: Array<SelectableValue<'operative' | 'inoperative'>> = [
  { label: 'Operative', value: 'operative' },
  { label: 'Inoperative', value: 'inoperative' },
];

const targetOptions = (targets: Target[], withStation: boolean): Array<SelectableValue<string>> => [
  ...(withStation ? [{ label: 'Station', value: targetKey(undefined) }] : []),
  ...targets.map((t) => ({
    label: targetKey(t),
    value: targetKey(t),
    description: `EVSE ${t.evseId}, connector ${t.connectorId}`,
  })),
];

/** A destructive-looking confirm button for what interrupts charging. */
function interrupts(req: OperationRequest): boolean {
  return (
    (req.name === 'Reset' && req.params.type === 'hard') ||
    req.name === 'UnlockConnector' ||
    (req.name === 'ChangeAvailability' && req.params.availability === 'inoperative')
  );
}

function Card({ title, name, children }: { title: string; name: string; children: React.ReactNode }) {
  const styles = useStyles2(getStyles);
  const own = useStyles2(getOwnStyles);
  return (
    <div className={`${styles.card} ${own.card}`} data-testid={testIds.station.operation(name)}>
      <h4 className={styles.cardTitle}>{title}</h4>
      {children}
    </div>
  );
}

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  const own = useStyles2(getOwnStyles);
  return (
    <div className={own.row}>
      <span className={own.label}>{label}</span>
      {children}
    </div>
  );
}

/**
 * Commands to the station (Editors and Admins): reset, trigger a message, unlock a connector, change
 * availability. Each asks for confirmation naming the station and the effect, then shows the live result.
 */
export function Operations({ station, operation }: Props) {
  const styles = useStyles2(getStyles);
  const own = useStyles2(getOwnStyles);
  const targets = portTargets(station.connectors);
  const [resetType, setResetType] = useState<'soft' | 'hard'>('soft');
  const [message, setMessage] = useState<TriggerChoice>('status');
  const [triggerAt, setTriggerAt] = useState(targetKey(undefined));
  const [unlockAt, setUnlockAt] = useState<string | undefined>(targets[0] && targetKey(targets[0]));
  const [availability, setAvailability] = useState<'operative' | 'inoperative'>('inoperative');
  const [availabilityAt, setAvailabilityAt] = useState(targetKey(undefined));
  const [asking, setAsking] = useState<OperationRequest>();

  const unlockTarget = parseTargetKey(unlockAt, targets);
  const confirmation = asking && confirmationOf(station.id, asking);
  const ask = (req: OperationRequest) => () => setAsking(req);
  const busy = operation.busy;

  return (
    <section data-testid={testIds.station.operations}>
      <h3 className={styles.h3}>Operations</h3>
      <div className={own.grid}>
        <Card title="Reset" name="Reset">
          <Row label="Type">
            <RadioButtonGroup size="sm" options={RESET_OPTIONS} value={resetType} onChange={setResetType} />
          </Row>
          <Button size="sm" variant="secondary" icon="sync" disabled={busy} onClick={ask(resetRequest(resetType))}>
            Reset…
          </Button>
        </Card>

        <Card title="Trigger message" name="TriggerMessage">
          <Row label="Message">
            <RadioButtonGroup
              size="sm"
              options={TRIGGER_OPTIONS.map((o) => ({ ...o }))}
              value={message}
              onChange={setMessage}
            />
          </Row>
          <Row label="For">
            <RadioButtonGroup
              size="sm"
              options={targetOptions(targets, true)}
              value={triggerAt}
              onChange={setTriggerAt}
            />
          </Row>
          <Button
            size="sm"
            variant="secondary"
            icon="envelope"
            disabled={busy}
            onClick={ask(triggerRequest(message, parseTargetKey(triggerAt, targets)))}
          >
            Trigger…
          </Button>
        </Card>

        <Card title="Unlock connector" name="UnlockConnector">
          <Row label="Connector">
            {targets.length > 0 ? (
              <RadioButtonGroup
                size="sm"
                options={targetOptions(targets, false)}
                value={unlockAt}
                onChange={setUnlockAt}
              />
            ) : (
              <span className={own.label}>The station reported no connectors</span>
            )}
          </Row>
          <Button
            size="sm"
            variant="secondary"
            icon="unlock"
            disabled={busy || !unlockTarget}
            onClick={() => unlockTarget && setAsking(unlockRequest(unlockTarget))}
          >
            Unlock…
          </Button>
        </Card>

        <Card title="Change availability" name="ChangeAvailability">
          <Row label="Set">
            <RadioButtonGroup
              size="sm"
              options={AVAILABILITY_OPTIONS}
              value={availability}
              onChange={setAvailability}
            />
          </Row>
          <Row label="For">
            <RadioButtonGroup
              size="sm"
              options={targetOptions(targets, true)}
              value={availabilityAt}
              onChange={setAvailabilityAt}
            />
          </Row>
          <Button
            size="sm"
            variant="secondary"
            icon="power"
            disabled={busy}
            onClick={ask(availabilityRequest(availability, parseTargetKey(availabilityAt, targets)))}
          >
            Change availability…
          </Button>
        </Card>
      </div>

      <CommandResult run={operation.run} onDismiss={operation.dismiss} />

      <ConfirmModal
        isOpen={Boolean(asking)}
        title={confirmation?.title ?? ''}
        body={confirmation?.body}
        description={
          station.online
            ? undefined
            : `${station.id} is offline now: the command waits until it reconnects (within the collector's deadline).`
        }
        confirmText={confirmation?.confirmText ?? 'Confirm'}
        confirmVariant={asking && interrupts(asking) ? 'destructive' : 'primary'}
        dismissText="Cancel"
        onConfirm={() => {
          if (asking && confirmation) {
            operation.send(asking, confirmation.title);
          }
          setAsking(undefined);
        }}
        onDismiss={() => setAsking(undefined)}
      />
    </section>
  );
}

const getOwnStyles = (theme: GrafanaTheme2) => ({
  grid: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(300px, 1fr))',
    gap: theme.spacing(1.5),
    marginBottom: theme.spacing(1.5),
  }),
  card: css({ display: 'flex', flexDirection: 'column', alignItems: 'flex-start', gap: theme.spacing(1) }),
  row: css({ display: 'flex', alignItems: 'center', flexWrap: 'wrap', gap: theme.spacing(1) }),
  label: css({ color: theme.colors.text.secondary, minWidth: 72 }),
});
