export * from './pin';
export * from './token-validation';
export * from './token-csv';
export * from './token-types';
export * from './token-registry';
export * from './account-store';
export * from './token-cache';
export * from './token-transactions';
