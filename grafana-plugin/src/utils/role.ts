import { config } from '@grafana/runtime';

/**
 * Whether the signed-in user may send commands to stations: Grafana org role Editor or Admin, the
 * reqRole of the plugin's command route. Only hides the buttons; Grafana's proxy and the collector
 * (X-ChargeWatch-Role) refuse a Viewer's command whatever the page does.
 */
export function canOperateStations(): boolean {
  const role = config.bootData?.user?.orgRole;
  return role === 'Editor' || role === 'Admin';
}

/**
 * Whether the signed-in user may change the firmware catalogue and run campaigns: Editor or Admin,
 * the reqRole of the plugin's firmware write routes. As above, it only hides the controls.
 */
export function canManageFirmware(): boolean {
  return canOperateStations();
}

/**
 * Whether the signed-in user may change the token registry and accounts and act on incidents: Editor
 * or Admin, the reqRole of the plugin's access write routes. As above, it only hides the controls.
 */
export function canManageAccess(): boolean {
  return canOperateStations();
}
