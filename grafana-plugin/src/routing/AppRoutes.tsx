import React from 'react';
import { Navigate, Route, Routes } from 'react-router-dom';
import { FleetPage } from '../pages/Fleet/FleetPage';
import { StationPage } from '../pages/Station/StationPage';
import { FirmwarePage } from '../pages/Firmware/FirmwarePage';
import { CampaignPage } from '../pages/Firmware/CampaignPage';
import { AccessPage } from '../pages/Access/AccessPage';
import { fleetUrl, ROUTES } from './routes';

/** Which page answers which path (relative to /a/chargewatch-fleet-app). */
const PAGES: Array<{ path: string; Page: React.ComponentType }> = [
  { path: ROUTES.Fleet, Page: FleetPage },
  { path: ROUTES.Station, Page: StationPage },
  { path: ROUTES.Firmware, Page: FirmwarePage },
  { path: ROUTES.FirmwareCampaign, Page: CampaignPage },
  { path: ROUTES.Access, Page: AccessPage },
];

export function AppRoutes() {
  return (
    <Routes>
      {PAGES.map(({ path, Page }) => (
        <Route key={path} path={path} element={<Page />} />
      ))}
      {/* absolute target: a relative one inside a splat route resolves differently across router flags */}
      <Route path="*" element={<Navigate to={fleetUrl()} replace />} />
    </Routes>
  );
}
