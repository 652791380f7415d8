/**
 * Validation of command parameters against the model's JSON schemas. Strict: no type coercion, no
 * defaults filled in, no silent removal of unknown fields — a typo in a field name is an error the
 * caller sees, not a field quietly dropped. The API compiles its request bodies with the same function,
 * so what it accepts is exactly what the bus accepts.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { COMMAND_PARAMS_SCHEMAS, COMMAND_NAMES, isCommandName, type Command, type JsonSchema } from '@chargewatch/model';

const strict = new Ajv({ allErrors: true, coerceTypes: false, useDefaults: false, removeAdditional: false });
addFormats(strict, ['date-time', 'uri']);

/** For query strings, whose values arrive as text: numbers and booleans are coerced, defaults applied. */
const coercing = new Ajv({ allErrors: true, coerceTypes: true, useDefaults: true, removeAdditional: false });
addFormats(coercing, ['date-time', 'uri']);

export function strictJsonValidator(schema: JsonSchema): ValidateFunction {
  return strict.compile(schema);
}

export function coercingJsonValidator(schema: JsonSchema): ValidateFunction {
  return coercing.compile(schema);
}

const validators = new Map(COMMAND_NAMES.map((name) => [name, strictJsonValidator(COMMAND_PARAMS_SCHEMAS[name])]));

export class CommandValidationError extends Error {
  constructor(
    message: string,
    readonly problems: string[],
  ) {
    super(message);
    this.name = 'CommandValidationError';
  }
}

/** `/settings/0/key must match pattern …`, at most a few, so a hostile body cannot make the error huge. */
export function describeErrors(errors: ErrorObject[] | null | undefined): string[] {
  const all = (errors ?? []).map((e) => `${e.instancePath || '(params)'} ${e.message ?? 'is invalid'}`.slice(0, 300));
  return [...new Set(all)].slice(0, 5);
}

/** The command, typed, or a CommandValidationError saying what is wrong. */
export function validateCommand(name: string, params: unknown): Command {
  if (!isCommandName(name)) throw new CommandValidationError(`unknown command ${JSON.stringify(name.slice(0, 60))}; known: ${COMMAND_NAMES.join(', ')}`, []);
  const validate = validators.get(name)!;
  if (!validate(params)) {
    const problems = describeErrors(validate.errors);
    throw new CommandValidationError(`invalid ${name} parameters: ${problems.join('; ')}`, problems);
  }
  return { name, params } as Command;
}
