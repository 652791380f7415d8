import React from 'react';
import { Navigate, Route, Routes } from 'react-router-dom';
import type { AppRootProps } from '@grafana/data';
import { ROUTES } from '../../constants';
import { prefixRoute } from '../../utils/utils.routing';
import { FleetHealth } from '../Fleet/FleetHealth';
import { StationPage } from '../Station/StationPage';

/** Routes relative to /a/chargewatch-fleet-app. */
export function AppRoutes() {
  return (
    <Routes>
      <Route path={ROUTES.Fleet} element={<FleetHealth />} />
      <Route path={`${ROUTES.Station}/:id`} element={<StationPage />} />
      {/* absolute target: a relative one inside a splat route resolves differently across router flags */}
      <Route path="*" element={<Navigate to={prefixRoute(ROUTES.Fleet)} replace />} />
    </Routes>
  );
}

function App(_props: AppRootProps) {
  return <AppRoutes />;
}

export default App;
