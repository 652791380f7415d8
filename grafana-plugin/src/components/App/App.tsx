import React from 'react';
import type { AppRootProps } from '@grafana/data';
import { AppRoutes } from '../../routing/AppRoutes';

function App(_props: AppRootProps) {
  return <AppRoutes />;
}

export default App;
