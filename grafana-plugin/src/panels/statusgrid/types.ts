export interface StatusGridOptions {
  /** cell width in px; height and font scale with it */
  cellSize: number;
  /** print station id, EVSE/connector and status inside the cells */
  showLabels: boolean;
  showLegend: boolean;
  groupBySite: boolean;
  /** cells link to the ChargeWatch station page */
  linkToStation: boolean;
  /** OCPP 1.6 reports the whole station as connector 0 (evse "0"); hidden unless asked for */
  showStationLevel: boolean;
}

export const DEFAULT_OPTIONS: StatusGridOptions = {
  cellSize: 110,
  showLabels: true,
  showLegend: true,
  groupBySite: true,
  linkToStation: true,
  showStationLevel: false,
};
