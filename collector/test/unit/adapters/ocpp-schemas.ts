import * as fs from 'fs';
import * as path from 'path';
import standardValidators from 'ocpp-rpc/lib/standard-validators';

type Protocol = 'ocpp1.6' | 'ocpp2.0.1';

const FIXTURES = path.join(__dirname, '../../fixtures');

function validatorFor(protocol: Protocol) {
  const validator = standardValidators.find((v) => v.subprotocol === protocol);
  if (!validator) throw new Error(`ocpp-rpc has no validator for ${protocol}`);
  return validator;
}

/**
 * Validates as ocpp-rpc's strict mode does (`urn:<Action>.req` / `.conf`). Returns the error text, or
 * undefined when valid, so a failing assertion shows why.
 */
export function schemaError(protocol: Protocol, action: string, kind: 'req' | 'conf', payload: unknown): string | undefined {
  try {
    validatorFor(protocol).validate(`urn:${action}.${kind}`, payload);
    return undefined;
  } catch (err) {
    return `${(err as { rpcErrorCode?: string }).rpcErrorCode}: ${(err as Error).message}`;
  }
}

/** Fixture files are `<Action>.json` or `<Action>.<variant>.json`. */
export function fixtureFiles(protocol: Protocol): Array<{ file: string; action: string }> {
  return fs
    .readdirSync(path.join(FIXTURES, protocol))
    .filter((file) => file.endsWith('.json'))
    .map((file) => ({ file, action: file.split('.')[0] }));
}

/** A fresh copy each time, so a test may mutate it. */
export function fixture<T = Record<string, unknown>>(protocol: Protocol, name: string): NoInfer<T> {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, protocol, `${name}.json`), 'utf8')) as T;
}
