import React from 'react';
import { Button, Stack, Text } from '@grafana/ui';
import { testIds } from '../testIds';

interface Props {
  paused: boolean;
  onTogglePause: () => void;
  onRefresh: () => void;
  lastUpdated?: Date;
  intervalMs: number;
}

export function RefreshControls({ paused, onTogglePause, onRefresh, lastUpdated, intervalMs }: Props) {
  return (
    <Stack direction="row" alignItems="center" gap={1}>
      <Text color="secondary" variant="bodySmall">
        <span data-testid={testIds.refresh.lastUpdated}>
          {lastUpdated ? `Updated ${lastUpdated.toISOString().slice(11, 19)} UTC` : 'Loading…'}
        </span>
        {paused ? ' · auto-refresh paused' : ` · every ${Math.round(intervalMs / 1000)} s`}
      </Text>
      <Button
        size="sm"
        variant="secondary"
        icon={paused ? 'play' : 'pause'}
        onClick={onTogglePause}
        data-testid={testIds.refresh.pause}
        aria-label={paused ? 'Resume auto-refresh' : 'Pause auto-refresh'}
      >
        {paused ? 'Resume' : 'Pause'}
      </Button>
      <Button
        size="sm"
        variant="secondary"
        icon="sync"
        onClick={onRefresh}
        data-testid={testIds.refresh.now}
        aria-label="Refresh now"
      >
        Refresh
      </Button>
    </Stack>
  );
}
