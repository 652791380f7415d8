import React from 'react';
import { useStyles2 } from '@grafana/ui';
import type { CampaignEvent } from '../../api/firmwareTypes';
import { formatTime } from '../../utils/format';
import { getTableStyles } from '../../components/common/tableStyles';
import { testIds } from '../../components/testIds';

/** The detail's figures a person reads first; the rest of the event's detail stays compact JSON. */
function describe(detail: Record<string, unknown> | undefined): string {
  if (!detail) {
    return '';
  }
  const { reason, detail: text, wave, ...rest } = detail as Record<string, unknown>;
  const parts = [
    wave !== undefined ? `wave ${String(wave)}` : '',
    typeof reason === 'string' ? reason : '',
    typeof text === 'string' ? text : '',
  ].filter(Boolean);
  const more = Object.keys(rest).length ? JSON.stringify(rest) : '';
  return [...parts, more].filter(Boolean).join(' · ').slice(0, 300);
}

/** The campaign's story: every transition, who made it and why, oldest first. */
export function CampaignEvents({ events }: { events: CampaignEvent[] }) {
  const table = useStyles2(getTableStyles);
  const ordered = [...events].sort((a, b) => a.at.localeCompare(b.at) || Number(a.id) - Number(b.id));
  return (
    <table className={table.table} data-testid={testIds.firmware.campaignEvents}>
      <thead>
        <tr>
          <th>At</th>
          <th>What</th>
          <th>Who</th>
          <th>Detail</th>
        </tr>
      </thead>
      <tbody>
        {ordered.map((e) => (
          <tr key={e.id} data-testid={testIds.firmware.campaignEvent(e.id)} data-kind={e.kind}>
            <td>{formatTime(e.at)}</td>
            <td>{e.kind}</td>
            <td>{e.actor}</td>
            <td className={table.muted}>{describe(e.detail)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
