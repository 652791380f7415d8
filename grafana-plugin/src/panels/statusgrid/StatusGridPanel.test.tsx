import React from 'react';
import { render, screen, within } from '@testing-library/react';
import {
  createDataFrame,
  FieldType,
  getDefaultTimeRange,
  LoadingState,
  type PanelData,
  type PanelProps,
} from '@grafana/data';
import { StatusGridPanel } from './StatusGridPanel';
import { plugin } from './module';
import { DEFAULT_OPTIONS, type StatusGridOptions } from './types';
import { testIds } from '../../components/testIds';

const frame = (station: string, site: string, evse: string, connector: string, code: number) =>
  createDataFrame({
    fields: [
      { name: 'Time', type: FieldType.time, values: [0] },
      { name: 'Value', type: FieldType.number, values: [code], labels: { station_id: station, site, evse, connector } },
    ],
  });

function renderPanel(series = [frame('CP-1', 'North', '1', '1', 9)], options: Partial<StatusGridOptions> = {}) {
  const data: PanelData = { series, state: LoadingState.Done, timeRange: getDefaultTimeRange() };
  const props = {
    data,
    options: { ...DEFAULT_OPTIONS, ...options },
    width: 800,
    height: 600,
  } as unknown as PanelProps<StatusGridOptions>;
  return render(<StatusGridPanel {...props} />);
}

describe('Connector status grid panel', () => {
  it('draws one cell per connector, grouped by site, coloured and labelled by status', () => {
    renderPanel([
      frame('CP-1', 'North', '1', '1', 9),
      frame('CP-1', 'North', '2', '1', 3),
      frame('CP-2', 'South', '1', '1', 1),
    ]);
    const north = screen.getByTestId(testIds.grid.site('North'));
    expect(north).toHaveTextContent('2 connectors');
    expect(north).toHaveTextContent('1 Faulted');
    const faulted = within(north).getByTestId(testIds.grid.cell('CP-1', '1', '1'));
    expect(faulted).toHaveAttribute('data-status', 'Faulted');
    expect(faulted).toHaveTextContent('CP-1');
    expect(faulted).toHaveTextContent('Faulted');
    expect(faulted.style.background).not.toBe('');
    expect(faulted.style.background).not.toBe(
      within(north).getByTestId(testIds.grid.cell('CP-1', '2', '1')).style.background
    );
    expect(faulted).toHaveAttribute('href', '/a/chargewatch-fleet-app/station/CP-1');
    expect(within(screen.getByTestId(testIds.grid.site('South'))).getAllByRole('link')).toHaveLength(1);
  });

  it('shows a legend with counts per status', () => {
    renderPanel([frame('A', 's', '1', '1', 1), frame('B', 's', '1', '1', 1), frame('C', 's', '1', '1', 9)]);
    const legend = screen.getByTestId(testIds.grid.legend);
    expect(legend).toHaveTextContent('3 connectors');
    expect(within(legend).getByText('Available').parentElement).toHaveTextContent('Available2');
    expect(within(legend).getByText('Faulted').parentElement).toHaveTextContent('Faulted1');
  });

  it('honours the options: cell size, labels, legend, grouping, links', () => {
    renderPanel([frame('CP-1', 'North', '1', '1', 1)], {
      cellSize: 200,
      showLabels: false,
      showLegend: false,
      groupBySite: false,
      linkToStation: false,
    });
    const cell = screen.getByTestId(testIds.grid.cell('CP-1', '1', '1'));
    expect(cell.style.width).toBe('200px');
    expect(cell).toHaveTextContent('');
    expect(cell.tagName).toBe('DIV');
    expect(screen.queryByTestId(testIds.grid.legend)).not.toBeInTheDocument();
    expect(screen.queryByText('North')).not.toBeInTheDocument();
  });

  it('leaves out OCPP 1.6 station-level connector 0 unless asked', () => {
    const series = [frame('CP-1', 'North', '0', '0', 1), frame('CP-1', 'North', '1', '1', 3)];
    const { unmount } = renderPanel(series);
    expect(screen.queryByTestId(testIds.grid.cell('CP-1', '0', '0'))).not.toBeInTheDocument();
    expect(screen.getByTestId(testIds.grid.legend)).toHaveTextContent(/^1 connector(?!s)/);
    unmount();
    renderPanel(series, { showStationLevel: true });
    expect(screen.getByTestId(testIds.grid.cell('CP-1', '0', '0'))).toHaveAttribute('data-status', 'Available');
  });

  it('explains what to query when there is no data', () => {
    renderPanel([]);
    expect(screen.getByTestId(testIds.grid.panel)).toHaveTextContent('chargewatch_connector_status_code');
  });

  it('declares its options', () => {
    expect(collectOptionPaths()).toEqual(
      expect.arrayContaining([
        'cellSize',
        'showLabels',
        'showLegend',
        'groupBySite',
        'linkToStation',
        'showStationLevel',
      ])
    );
  });
});

function collectOptionPaths(): string[] {
  const paths: string[] = [];
  const builder = {
    addSliderInput: (o: { path: string }) => (paths.push(o.path), builder),
    addBooleanSwitch: (o: { path: string }) => (paths.push(o.path), builder),
  };
  const supplier = plugin.getPanelOptionsSupplier();
  supplier(builder as never, { data: [] } as never);
  return paths;
}
