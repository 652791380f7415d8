import React from 'react';
import { Badge, type BadgeColor } from '@grafana/ui';
import type { IncidentStatus, MisuseSeverity, TokenStatus } from '../../api/accessTypes';

const TOKEN: Record<TokenStatus, BadgeColor> = { Accepted: 'green', Blocked: 'red', Expired: 'darkgrey' };
const SEVERITY: Record<MisuseSeverity, BadgeColor> = { info: 'blue', warning: 'orange', critical: 'red' };
const INCIDENT: Record<IncidentStatus, BadgeColor> = { open: 'red', acknowledged: 'orange', resolved: 'green' };

export function TokenStatusBadge({ status }: { status: TokenStatus }) {
  return <Badge color={TOKEN[status] ?? 'darkgrey'} text={status} data-status={status} />;
}

export function SeverityBadge({ severity }: { severity: MisuseSeverity }) {
  return <Badge color={SEVERITY[severity] ?? 'darkgrey'} text={severity} />;
}

export function IncidentStatusBadge({ status }: { status: IncidentStatus }) {
  return <Badge color={INCIDENT[status] ?? 'darkgrey'} text={status} data-status={status} />;
}

/** `unknown_token_burst` → "Unknown token burst" */
export const ruleLabel = (rule: string) => (rule.charAt(0).toUpperCase() + rule.slice(1)).replace(/_/g, ' ');
