import { createTheme } from '@grafana/data';
import * as shared from '@chargewatch/model/status';
import * as direct from '../../../model/src/status';
import { statusColor } from './status';

describe('connector status meaning', () => {
  it('is the repository model module itself, not a copy', () => {
    // the alias resolves to model/src/status.ts: the very same module instance
    expect(shared.CONNECTOR_STATUS_CODE).toBe(direct.CONNECTOR_STATUS_CODE);
    expect(shared.statusFromCode).toBe(direct.statusFromCode);
  });

  it('resolves each status colour against the theme, unknown strings as Unknown', () => {
    const theme = createTheme();
    expect(statusColor(theme, 'Faulted')).toBe(theme.visualization.getColorByName(shared.STATUS_COLOR.Faulted));
    expect(statusColor(theme, 'VendorSpecial')).toBe(statusColor(theme, 'Unknown'));
    expect(statusColor(theme, 'Charging')).not.toBe(statusColor(theme, 'Available'));
  });
});
