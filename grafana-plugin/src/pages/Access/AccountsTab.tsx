import React, { useEffect, useMemo, useState } from 'react';
import { Alert, Button, Field, Icon, Input, LoadingPlaceholder, Pagination, useStyles2 } from '@grafana/ui';
import type { AccessToken, Account, TokenPage } from '../../api/accessTypes';
import {
  ACCOUNT_PAGE_SIZE,
  MEMBER_LIMIT,
  useAccount,
  useAccountActions,
  useAccountList,
  useGroupTokens,
} from '../../data/useAccessAccounts';
import type { PollingState } from '../../data/usePolling';
import { formatInt, formatTime } from '../../utils/format';
import { getTableStyles } from '../../components/common/tableStyles';
import { testIds } from '../../components/testIds';
import { TokenStatusBadge } from './AccessBadges';
import type { AccessTabProps } from './AccessPage';
import { AccountForm } from './AccountForm';
import { accountPatchBody, newAccountBody } from './accountRules';
import { getStyles } from './styles';
import { restrictions, tokenLabel } from './tokenText';

/** Tokens of an account or a group, each opening in the Tokens tab. */
function Members({
  page,
  testId,
  onOpen,
}: {
  page: PollingState<TokenPage | undefined>;
  testId: string;
  onOpen: (t: AccessToken) => void;
}) {
  const styles = useStyles2(getStyles);
  const table = useStyles2(getTableStyles);
  if (page.error) {
    return (
      <Alert severity="error" title="Could not load the tokens">
        {page.error.message}
      </Alert>
    );
  }
  if (!page.data) {
    return <LoadingPlaceholder text="Loading tokens…" />;
  }
  return (
    <div data-testid={testId} data-total={page.data.total}>
      <p className={styles.muted}>
        {formatInt(page.data.total)} {page.data.total === 1 ? 'token' : 'tokens'}
        {page.data.total > MEMBER_LIMIT ? ` (the first ${MEMBER_LIMIT} shown)` : ''}
      </p>
      <table className={table.table}>
        <tbody>
          {page.data.items.map((t) => (
            <tr key={t.id} data-testid={testIds.access.tokenRow(t.id)}>
              <td>
                <button type="button" className={`${styles.link} ${styles.mono}`} onClick={() => onOpen(t)}>
                  {tokenLabel(t)}
                </button>
              </td>
              <td>{t.type}</td>
              <td>
                <TokenStatusBadge status={t.status} />
              </td>
              <td>{t.groupId ?? ''}</td>
              <td>{restrictions(t)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Accounts (search, list, one account with its tokens; Editors create and change) and groups of tokens. */
export function AccountsTab({ view, update, live, controls, canEdit }: AccessTabProps) {
  const styles = useStyles2(getStyles);
  const table = useStyles2(getTableStyles);
  const query = useMemo(
    () => ({ q: view.aq || undefined, limit: ACCOUNT_PAGE_SIZE, offset: view.apage * ACCOUNT_PAGE_SIZE }),
    [view.aq, view.apage]
  );
  const list = useAccountList(query, live);
  const open = useAccount(view.account, live);
  const group = useGroupTokens(view.group, live);
  const actions = useAccountActions(() => {
    list.refresh();
    open.account.refresh();
  });
  const saved = (a: Account) => update({ account: a.id, accountForm: undefined });
  const [search, setSearch] = useState(view.aq);
  const [group$, setGroup$] = useState(view.group ?? '');
  useEffect(() => {
    if (search === view.aq) {
      return;
    }
    const timer = setTimeout(() => update({ aq: search, apage: 0 }), 300);
    return () => clearTimeout(timer);
  }, [search, view.aq, update]);
  const pages = list.data ? Math.ceil(list.data.total / ACCOUNT_PAGE_SIZE) : 0;
  const a = open.account.data;
  const openToken = (t: AccessToken) => update({ tab: 'tokens', token: t.id });

  return (
    <div className={styles.stack} data-testid={testIds.access.accounts}>
      {controls(list.refresh, list.lastUpdated)}
      <div className={styles.filters}>
        <Field label="Search" className={styles.field}>
          <Input
            data-testid={testIds.access.accountSearch}
            aria-label="Search accounts"
            placeholder="Part of the name"
            width={30}
            prefix={<Icon name="search" />}
            value={search}
            onChange={(e) => setSearch(e.currentTarget.value)}
          />
        </Field>
        {canEdit && (
          <Button icon="plus" onClick={() => update({ accountForm: 'new' })} data-testid={testIds.access.newAccount}>
            New account
          </Button>
        )}
      </div>
      {canEdit && view.accountForm === 'new' && (
        <AccountForm
          send={(f) => actions.create.run(newAccountBody(f))}
          state={actions.create}
          onClose={() => update({ accountForm: undefined })}
          onSaved={saved}
        />
      )}
      <div className={styles.columns}>
        <section>
          {list.error && (
            <Alert severity="error" title="Could not load the accounts">
              {list.error.message}
            </Alert>
          )}
          {!list.data && !list.error && <LoadingPlaceholder text="Loading accounts…" />}
          {list.data && (
            <>
              <div className={styles.muted} data-testid={testIds.access.accountTotal} data-total={list.data.total}>
                {formatInt(list.data.total)} {list.data.total === 1 ? 'account' : 'accounts'}
              </div>
              <table className={table.table}>
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>Kind</th>
                    <th>Billing reference</th>
                    <th>Currency</th>
                  </tr>
                </thead>
                <tbody>
                  {list.data.items.map((x) => (
                    <tr key={x.id} data-testid={testIds.access.accountRow(x.id)} aria-selected={x.id === view.account}>
                      <td>
                        <button
                          type="button"
                          className={styles.link}
                          onClick={() => update({ account: x.id, accountForm: undefined })}
                        >
                          {x.name}
                        </button>
                      </td>
                      <td>{x.kind}</td>
                      <td>{x.billingReference ?? ''}</td>
                      <td>{x.currency ?? ''}</td>
                    </tr>
                  ))}
                  {list.data.items.length === 0 && (
                    <tr>
                      <td colSpan={4} className={table.empty}>
                        {view.aq ? 'No account matches.' : 'No accounts yet.'}
                      </td>
                    </tr>
                  )}
                </tbody>
              </table>
              {pages > 1 && (
                <div className={styles.pager}>
                  <Pagination
                    currentPage={view.apage + 1}
                    numberOfPages={pages}
                    onNavigate={(p) => update({ apage: p - 1 })}
                  />
                </div>
              )}
            </>
          )}
        </section>
        <section data-testid={testIds.access.accountDetail}>
          {!view.account && <p className={styles.muted}>Open an account to see its details and tokens.</p>}
          {view.account && open.account.error && (
            <Alert severity="error" title="Could not load the account">
              {open.account.error.message}
            </Alert>
          )}
          {a && view.accountForm !== 'edit' && (
            <>
              <div className={styles.header}>
                <h3 className={styles.h3}>{a.name}</h3>
                {canEdit && (
                  <Button size="sm" icon="pen" variant="secondary" onClick={() => update({ accountForm: 'edit' })}>
                    Edit
                  </Button>
                )}
              </div>
              <dl className={styles.fields}>
                <dt>Kind</dt>
                <dd>{a.kind}</dd>
                <dt>Contact</dt>
                <dd>{a.contact ?? ''}</dd>
                <dt>Billing reference</dt>
                <dd>{a.billingReference ?? ''}</dd>
                <dt>Currency</dt>
                <dd>{a.currency ?? ''}</dd>
                <dt>Note</dt>
                <dd>{a.note ?? ''}</dd>
                <dt>Updated</dt>
                <dd>
                  {formatTime(a.updatedAt)}
                  {a.updatedBy ? ` by ${a.updatedBy}` : ''}
                </dd>
              </dl>
              <h3 className={styles.h3}>Tokens</h3>
              <Members page={open.tokens} testId={testIds.access.accountTokens} onOpen={openToken} />
            </>
          )}
          {a && canEdit && view.accountForm === 'edit' && (
            <AccountForm
              account={a}
              send={(f) => {
                const patch = accountPatchBody(f, a);
                return Object.keys(patch).length ? actions.update.run(a.id, patch) : Promise.resolve(a);
              }}
              state={actions.update}
              onClose={() => update({ accountForm: undefined })}
              onSaved={saved}
            />
          )}
        </section>
      </div>
      <section>
        <h3 className={styles.h3}>Groups</h3>
        <p className={styles.muted}>
          A group is the tokens sharing a group id (1.6 parentIdTag, 2.0.1 groupIdToken); it has no record of its own.
        </p>
        <form
          className={styles.filters}
          onSubmit={(e) => {
            e.preventDefault();
            update({ group: group$.trim() || undefined });
          }}
        >
          <Field label="Group id" className={styles.field}>
            <Input
              data-testid={testIds.access.groupSearch}
              width={30}
              value={group$}
              onChange={(e) => setGroup$(e.currentTarget.value)}
            />
          </Field>
          <Button type="submit" variant="secondary">
            Show group
          </Button>
        </form>
        {view.group && <Members page={group} testId={testIds.access.groupTokens} onOpen={openToken} />}
      </section>
    </div>
  );
}
