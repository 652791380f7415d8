import React, { useEffect, useMemo, useState } from 'react';
import type { SelectableValue } from '@grafana/data';
import { config } from '@grafana/runtime';
import {
  Alert,
  Button,
  Field,
  Icon,
  Input,
  LinkButton,
  LoadingPlaceholder,
  Pagination,
  Select,
  useStyles2,
} from '@grafana/ui';
import { TOKEN_STATUSES, TOKEN_TYPES } from '@chargewatch/model/access';
import { accessApi } from '../../api/access';
import { useAccountChoices } from '../../data/useAccessAccounts';
import { useTokenActions, useTokenList } from '../../data/useAccessTokens';
import { formatInt, formatTime } from '../../utils/format';
import { getTableStyles } from '../../components/common/tableStyles';
import { testIds } from '../../components/testIds';
import { TokenStatusBadge } from './AccessBadges';
import type { AccessTabProps } from './AccessPage';
import { TOKEN_PAGE_SIZE } from './accessView';
import { getStyles } from './styles';
import { TokenDrawer } from './TokenDrawer';
import { TokenForm } from './TokenForm';
import { TokenImport } from './TokenImport';
import { accountName, restrictions, tokenLabel } from './tokenText';
import { newTokenBody } from './tokenRules';

const options = (values: readonly string[]): Array<SelectableValue<string>> =>
  values.map((v) => ({ label: v, value: v }));

/** The token registry: search, filters, the paged list; the drawer, the form and the import for Editors. */
export function TokensTab({ view, update, live, controls, canEdit }: AccessTabProps) {
  const styles = useStyles2(getStyles);
  const table = useStyles2(getTableStyles);
  const query = useMemo(
    () => ({
      q: view.q || undefined,
      type: view.type,
      status: view.status,
      accountId: view.accountId,
      groupId: view.groupId,
      limit: TOKEN_PAGE_SIZE,
      offset: view.page * TOKEN_PAGE_SIZE,
    }),
    [view.q, view.type, view.status, view.accountId, view.groupId, view.page]
  );
  const list = useTokenList(query, live);
  const accounts = useAccountChoices();
  const actions = useTokenActions(list.refresh);
  const [search, setSearch] = useState(view.q);
  const [applied, setApplied] = useState(view.q);
  if (view.q !== applied) {
    setApplied(view.q);
    setSearch(view.q);
  }
  useEffect(() => {
    if (search === view.q) {
      return;
    }
    const timer = setTimeout(() => update({ q: search, page: 0 }), 300);
    return () => clearTimeout(timer);
  }, [search, view.q, update]);

  const accountOptions = (accounts.data?.items ?? []).map((a) => ({
    label: a.name,
    value: a.id,
    description: `id ${a.id}`,
  }));
  const pages = list.data ? Math.ceil(list.data.total / TOKEN_PAGE_SIZE) : 0;
  const filtered = Boolean(view.q || view.type || view.status || view.accountId || view.groupId);
  const select = (key: 'type' | 'status' | 'accountId', label: string, opts: Array<SelectableValue<string>>) => (
    <Field label={label} className={styles.field}>
      <Select
        inputId={`cw-token-filter-${key}`}
        aria-label={`Filter by ${label.toLowerCase()}`}
        width={20}
        isClearable
        placeholder="All"
        options={opts}
        value={view[key] ?? null}
        onChange={(v) => update({ [key]: v?.value ?? undefined, page: 0 })}
      />
    </Field>
  );

  return (
    <div className={styles.stack} data-testid={testIds.access.tokens}>
      {controls(list.refresh, list.lastUpdated)}
      <div className={styles.filters}>
        <Field label="Search" className={styles.field}>
          <Input
            data-testid={testIds.access.tokenSearch}
            aria-label="Search tokens"
            placeholder="Start of the id, or words of the note"
            width={34}
            prefix={<Icon name="search" />}
            value={search}
            onChange={(e) => setSearch(e.currentTarget.value)}
          />
        </Field>
        {select('type', 'Type', options(TOKEN_TYPES))}
        {select('status', 'Status', options(TOKEN_STATUSES))}
        {select('accountId', 'Account', accountOptions)}
        <Field label="Group id" className={styles.field}>
          <Input
            aria-label="Filter by group id"
            width={18}
            value={view.groupId ?? ''}
            onChange={(e) => update({ groupId: e.currentTarget.value || undefined, page: 0 })}
          />
        </Field>
        {filtered && (
          <Button
            variant="secondary"
            fill="text"
            onClick={() =>
              update({ q: '', type: undefined, status: undefined, accountId: undefined, groupId: undefined, page: 0 })
            }
          >
            Clear filters
          </Button>
        )}
      </div>
      <div className={styles.toolbar}>
        {canEdit && (
          <>
            <Button
              icon="plus"
              onClick={() => update({ form: 'new', token: undefined, import: false })}
              data-testid={testIds.access.newToken}
            >
              New token
            </Button>
            <Button
              icon="upload"
              variant="secondary"
              onClick={() => update({ import: true, form: undefined })}
              data-testid={testIds.access.openImport}
            >
              Import
            </Button>
          </>
        )}
        <LinkButton
          icon="download-alt"
          variant="secondary"
          href={accessApi.exportUrl('csv', config.appSubUrl)}
          download="tokens.csv"
          data-testid={testIds.access.export('csv')}
        >
          Export CSV
        </LinkButton>
        <LinkButton
          icon="download-alt"
          variant="secondary"
          fill="text"
          href={accessApi.exportUrl('json', config.appSubUrl)}
          download="tokens.json"
          data-testid={testIds.access.export('json')}
        >
          JSON
        </LinkButton>
      </div>
      {canEdit && view.import && <TokenImport action={actions.importFile} onClose={() => update({ import: false })} />}
      {canEdit && view.form === 'new' && (
        <TokenForm
          accounts={accounts.data?.items ?? []}
          send={(f) => actions.create.run(newTokenBody(f))}
          state={actions.create}
          onClose={() => update({ form: undefined })}
          onSaved={(t) => update({ form: undefined, token: t.id })}
        />
      )}
      {list.error && (
        <Alert severity="error" title="Could not load the tokens">
          {list.error.message}
        </Alert>
      )}
      {!list.data && !list.error && <LoadingPlaceholder text="Loading tokens…" />}
      {list.data && (
        <>
          <div className={styles.muted} data-testid={testIds.access.tokenTotal} data-total={list.data.total}>
            {formatInt(list.data.total)} {list.data.total === 1 ? 'token' : 'tokens'}
            {filtered ? ' match' : ''}
          </div>
          <table className={table.table} data-testid={testIds.access.tokenTable}>
            <thead>
              <tr>
                <th>Token</th>
                <th>Type</th>
                <th>Status</th>
                <th>Account</th>
                <th>Group</th>
                <th>Valid until</th>
                <th>Where / when</th>
                <th>Updated</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((t) => (
                <tr key={t.id} data-testid={testIds.access.tokenRow(t.id)} data-status={t.status}>
                  <td>
                    <button
                      type="button"
                      className={`${styles.link} ${styles.mono}`}
                      onClick={() => update({ token: t.id, form: undefined })}
                    >
                      {tokenLabel(t)}
                    </button>
                  </td>
                  <td>{t.type}</td>
                  <td>
                    <TokenStatusBadge status={t.status} />
                  </td>
                  <td>{accountName(accounts.data?.items, t.accountId)}</td>
                  <td>
                    {t.groupId && (
                      <button
                        type="button"
                        className={`${styles.link} ${styles.mono}`}
                        onClick={() => update({ groupId: t.groupId, page: 0 })}
                      >
                        {t.groupId}
                      </button>
                    )}
                  </td>
                  <td>{t.validUntil ? formatTime(t.validUntil) : ''}</td>
                  <td>{restrictions(t)}</td>
                  <td>{formatTime(t.updatedAt)}</td>
                </tr>
              ))}
              {list.data.items.length === 0 && (
                <tr>
                  <td colSpan={8} className={table.empty}>
                    {filtered ? 'No token matches these filters.' : 'The registry holds no tokens yet.'}
                  </td>
                </tr>
              )}
            </tbody>
          </table>
          {pages > 1 && (
            <div className={styles.pager}>
              <Pagination
                currentPage={view.page + 1}
                numberOfPages={pages}
                onNavigate={(p) => update({ page: p - 1 })}
              />
            </div>
          )}
        </>
      )}
      {view.token && (
        <TokenDrawer
          id={view.token}
          editing={canEdit && view.form === 'edit'}
          canEdit={canEdit}
          accounts={accounts.data?.items ?? []}
          actions={actions}
          onEdit={(editing) => update({ form: editing ? 'edit' : undefined })}
          onClose={() => update({ token: undefined, form: undefined })}
          onShowAccount={(account) => update({ tab: 'accounts', account, token: undefined, form: undefined })}
        />
      )}
    </div>
  );
}
