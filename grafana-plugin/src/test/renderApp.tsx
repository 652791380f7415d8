import React from 'react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router-dom';
import { render, screen } from '@testing-library/react';
import { AppRoutes } from '../routing/AppRoutes';

/** The app's routes at `url` in a memory router, with the current location in `where()`. */
export function renderApp(url: string) {
  const Where = () => {
    const location = useLocation();
    return <output data-testid="where">{`${location.pathname}${location.search}`}</output>;
  };
  return render(
    <MemoryRouter initialEntries={[url]} future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
      <Routes>
        <Route path="/a/chargewatch-fleet-app/*" element={<AppRoutes />} />
      </Routes>
      <Where />
    </MemoryRouter>
  );
}

export const where = () => screen.getByTestId('where').textContent;
