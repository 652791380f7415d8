import { PanelPlugin } from '@grafana/data';
import { StatusGridPanel } from './StatusGridPanel';
import { DEFAULT_OPTIONS, type StatusGridOptions } from './types';

export const plugin = new PanelPlugin<StatusGridOptions>(StatusGridPanel).setPanelOptions((builder) =>
  builder
    .addSliderInput({
      path: 'cellSize',
      name: 'Cell size',
      description: 'Cell width in pixels; text scales with it (large values suit NOC wall screens).',
      defaultValue: DEFAULT_OPTIONS.cellSize,
      settings: { min: 24, max: 320, step: 2 },
    })
    .addBooleanSwitch({
      path: 'showLabels',
      name: 'Show labels',
      description: 'Station id, EVSE/connector and status inside each cell.',
      defaultValue: DEFAULT_OPTIONS.showLabels,
    })
    .addBooleanSwitch({
      path: 'groupBySite',
      name: 'Group by site',
      defaultValue: DEFAULT_OPTIONS.groupBySite,
    })
    .addBooleanSwitch({
      path: 'showLegend',
      name: 'Show legend',
      defaultValue: DEFAULT_OPTIONS.showLegend,
    })
    .addBooleanSwitch({
      path: 'linkToStation',
      name: 'Link to station page',
      description: 'Cells open the ChargeWatch station page (needs the ChargeWatch Fleet app enabled).',
      defaultValue: DEFAULT_OPTIONS.linkToStation,
    })
    .addBooleanSwitch({
      path: 'showStationLevel',
      name: 'Show station-level status',
      description: 'OCPP 1.6 reports the whole station as connector 0 (evse="0"); show it as a cell too.',
      defaultValue: DEFAULT_OPTIONS.showStationLevel,
    })
);
