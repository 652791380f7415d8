export * from './local-list-store';
export * from './local-list-limits';
export * from './local-list-sync';
export * from './local-list-requests';
