/** @chargewatch/model: the version-independent vocabulary every process shares. Pure: no I/O. */
export * from './events';
export * from './csms';
export * from './status';
export * from './problems';
export * from './security-events';
export * from './transactions';
export * from './keys';
export * from './actor';
export * from './commands';
export * from './command-schemas';
export * from './command-redaction';
export * from './identity';
export * from './queues';
export * from './journal-entry';
export * from './firmware';
export * from './firmware-update';
