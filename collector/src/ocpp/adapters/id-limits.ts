/**
 * Highest EVSE and connector ids the collector accepts. Every id a station names becomes a Redis hash
 * field, an InfluxDB tag value and two Prometheus series; without a bound one station could add series
 * for ever by inventing ids. The check runs once per call on the payload as received, before any
 * handler reads or writes state, so a refused call leaves nothing behind but a counter and a log line.
 *
 * The walk is generic over the payload (every `evseId`, `connectorId` and `evse.id` at any depth), so a
 * message added later that names connectors is bounded without anyone remembering to add a check.
 */
export interface IdLimits {
  /** Highest EVSE id (2.0.1 `evseId` / `evse.id`; 1.6 `connectorId`, which the model stores as EVSE N). */
  maxEvseId: number;
  /** Highest connector id within one EVSE (2.0.1 `connectorId`; 1.6 connectors are always connector 1). */
  maxConnectorId: number;
}

export const DEFAULT_ID_LIMITS: IdLimits = { maxEvseId: 32, maxConnectorId: 8 };

export const ID_LIMIT_FIELDS = ['evse_id', 'connector_id'] as const;
export type IdLimitField = (typeof ID_LIMIT_FIELDS)[number];

export interface IdLimitViolation {
  field: IdLimitField;
  /** Where in the payload, e.g. `eventData[3].component.evse.id`. */
  path: string;
  value: number;
  max: number;
}

// 1.6 connector N is EVSE N in the model, so its connectorId is what the EVSE bound limits.
// Keyed by subprotocol name (types.ts's OcppProtocol; not imported, types.ts imports this module).
const FIELD_RULES: Readonly<Record<string, Readonly<Record<string, IdLimitField>>>> = {
  'ocpp1.6': { connectorId: 'evse_id' },
  'ocpp2.0.1': { evseId: 'evse_id', connectorId: 'connector_id' },
};

/** Vendor payloads whose keys mean whatever the vendor wants: never read as ids. */
const OPAQUE_KEYS: ReadonlySet<string> = new Set(['customData']);
const OPAQUE_ACTIONS: ReadonlySet<string> = new Set(['DataTransfer']);

/** The first id in `params` above its bound, or undefined when every id is within the limits. */
export function findIdLimitViolation(protocol: string, action: string, params: unknown, limits: IdLimits): IdLimitViolation | undefined {
  if (OPAQUE_ACTIONS.has(action)) return undefined;
  // A version without its own rules is bounded like 2.0.1 (2.1 names EVSEs and connectors the same way).
  const rules = FIELD_RULES[protocol] ?? FIELD_RULES['ocpp2.0.1']!;
  // This runs on every call (MeterValues included), so the walk allocates nothing but the path stack.
  return walk(params, undefined, { rules, limits, path: [] }, 0);
}

/** Payloads are schema-checked and at most OCPP_MAX_PAYLOAD_BYTES; this bounds the recursion anyway. */
const MAX_DEPTH = 64;

interface Walk {
  rules: Readonly<Record<string, IdLimitField>>;
  limits: IdLimits;
  /** Keys and array indexes from the payload's root to the value being looked at. */
  path: Array<string | number>;
}

function walk(value: unknown, parentKey: string | undefined, w: Walk, depth: number): IdLimitViolation | undefined {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      w.path.push(i);
      const found = walk(value[i], undefined, w, depth + 1);
      w.path.pop();
      if (found) return found;
    }
    return undefined;
  }
  const obj = value as Record<string, unknown>;
  for (const key in obj) {
    if (!Object.prototype.hasOwnProperty.call(obj, key) || OPAQUE_KEYS.has(key)) continue;
    const child = obj[key];
    if (typeof child === 'number') {
      const field = w.rules[key] ?? (parentKey === 'evse' && key === 'id' ? 'evse_id' : undefined);
      const max = field === 'evse_id' ? w.limits.maxEvseId : w.limits.maxConnectorId;
      if (field && child > max) return { field, path: pathText([...w.path, key]), value: child, max };
    } else if (child !== null && typeof child === 'object') {
      w.path.push(key);
      const found = walk(child, key, w, depth + 1);
      w.path.pop();
      if (found) return found;
    }
  }
  return undefined;
}

const pathText = (path: Array<string | number>) => path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
