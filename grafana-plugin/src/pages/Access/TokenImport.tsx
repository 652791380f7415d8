import React, { useState } from 'react';
import { Alert, Button, Field, RadioButtonGroup, TextArea, useStyles2 } from '@grafana/ui';
import type { ImportFile } from '../../api/access';
import type { ImportMode, ImportResult } from '../../api/accessTypes';
import type { ActionState } from '../../data/useFirmwareAction';
import { formatInt } from '../../utils/format';
import { testIds } from '../../components/testIds';
import { IMPORT_MAX_BYTES, importProblems, readImport } from './importRules';
import { getStyles } from './styles';

interface Props {
  action: ActionState<ImportResult> & {
    run: (file: ImportFile, mode: ImportMode) => Promise<ImportResult | undefined>;
    reset: () => void;
  };
  onClose: () => void;
}

const MODES = [
  { label: 'Create or update', value: 'upsert' as const, description: 'Rows naming a registered token change it' },
  { label: 'Create only', value: 'create' as const, description: 'A row naming a registered token is refused' },
];

const EXAMPLE =
  'type,uid,status,group_id,allowed_sites,note\nISO14443,04A2B3C4D5E6F7,Accepted,FLEET-1,harbour;depot-north,van 12';

/**
 * Editors import tokens from a CSV or JSON file, pasted or uploaded. The collector checks every row
 * first and writes nothing when one is bad; its answer names each bad row, shown here.
 */
export function TokenImport({ action, onClose }: Props) {
  const styles = useStyles2(getStyles);
  const [text, setText] = useState('');
  const [fileName, setFileName] = useState('');
  const [mode, setMode] = useState<ImportMode>('upsert');
  const [local, setLocal] = useState<string>();
  const problems = importProblems(action.error);

  const upload = async (e: React.ChangeEvent<HTMLInputElement>) => {
    const file = e.currentTarget.files?.[0];
    if (!file) {
      return;
    }
    if (file.size > IMPORT_MAX_BYTES) {
      setLocal(`${file.name} is larger than ${IMPORT_MAX_BYTES / 1024 / 1024} MiB`);
      return;
    }
    setFileName(file.name);
    setText(await file.text());
    setLocal(undefined);
    action.reset();
  };

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const read = readImport(text, fileName);
    if (!read.ok) {
      setLocal(read.error);
      return;
    }
    setLocal(undefined);
    action.run(read.file, mode);
  };

  return (
    <form className={styles.form} onSubmit={submit} data-testid={testIds.access.import} noValidate>
      <Field
        label="Tokens (CSV with a header row, or JSON)"
        description="Columns as the export writes them; lists separated by ; and PINs in a pin column (never exported)"
        className={styles.wide}
      >
        <TextArea
          rows={8}
          className={styles.mono}
          value={text}
          placeholder={EXAMPLE}
          onChange={(e) => {
            setText(e.currentTarget.value);
            setFileName('');
          }}
          data-testid={testIds.access.importText}
        />
      </Field>
      <Field label="Or upload a file">
        <input
          type="file"
          accept=".csv,.json,text/csv,application/json"
          onChange={upload}
          data-testid={testIds.access.importFile}
        />
      </Field>
      <Field label="Mode">
        <RadioButtonGroup options={MODES} value={mode} onChange={setMode} />
      </Field>
      {local && (
        <div className={styles.wide}>
          <Alert severity="error" title="Nothing was sent">
            {local}
          </Alert>
        </div>
      )}
      {action.error && (
        <div className={styles.wide} data-testid={testIds.access.importProblems} data-rows={problems.length}>
          <Alert severity="error" title={action.error.message}>
            {problems.length > 0 && (
              <ul className={styles.problems}>
                {problems.map((p) => (
                  <li key={p.row} data-testid={testIds.access.importProblem(p.row)}>
                    {fileName.endsWith('.json') || /^\s*[[{]/.test(text) ? 'Row' : 'Line'} {p.row}:{' '}
                    {p.errors.join('; ')}
                  </li>
                ))}
              </ul>
            )}
          </Alert>
        </div>
      )}
      {action.result && (
        <div className={styles.wide} data-testid={testIds.access.importResult}>
          <Alert severity="success" title="Imported">
            {formatInt(action.result.created)} created, {formatInt(action.result.updated)} updated.
          </Alert>
        </div>
      )}
      <div className={styles.actions}>
        <Button type="submit" icon="upload" disabled={action.busy} data-testid={testIds.access.importSubmit}>
          Import
        </Button>
        <Button variant="secondary" fill="text" onClick={onClose}>
          Close
        </Button>
      </div>
    </form>
  );
}
