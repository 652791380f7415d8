import React from 'react';
import { useStyles2 } from '@grafana/ui';
import type { CampaignEvent } from '../../api/firmwareTypes';
import { formatTime } from '../../utils/format';
import { getTableStyles } from '../../components/common/tableStyles';
import { testIds } from '../../components/testIds';

/** An event's detail in a line: the reason and text first, then each figure; lists by their length. */
function describe(detail: Record<string, unknown> | undefined): string {
  if (!detail) {
    return '';
  }
  const { reason, detail: text, ...rest } = detail;
  const parts = [typeof reason === 'string' ? reason : '', typeof text === 'string' ? text : ''].filter(Boolean);
  for (const [key, value] of Object.entries(rest)) {
    if (Array.isArray(value)) {
      parts.push(value.every((v) => typeof v === 'number') ? `${key} ${value.join(' / ')}` : `${key}: ${value.length}`);
    } else if (value !== null && typeof value === 'object') {
      parts.push(`${key} ${JSON.stringify(value)}`);
    } else if (value !== undefined && value !== null) {
      parts.push(`${key} ${String(value)}`);
    }
  }
  return parts.join(' · ').slice(0, 300);
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
