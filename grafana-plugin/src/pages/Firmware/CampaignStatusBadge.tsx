import React from 'react';
import { Badge, type BadgeColor } from '@grafana/ui';
import type { CampaignStatus } from '../../api/firmwareTypes';

const COLORS: Record<CampaignStatus, BadgeColor> = {
  running: 'blue',
  paused: 'orange',
  completed: 'green',
  cancelled: 'darkgrey',
};

export function CampaignStatusBadge({ status }: { status: CampaignStatus }) {
  return <Badge color={COLORS[status] ?? 'darkgrey'} text={status} data-status={status} />;
}
