/**
 * Line protocol escaping, exact, plus the lossless encoding of tag values (docs/data-model.md, "Tag
 * values").
 *
 * Escaping per the line protocol spec:
 * - measurement: `,` and space;
 * - tag keys, tag values, field keys: `,`, `=` and space;
 * - string field values: `"` and `\` (anything else, newlines included, is literal inside the quotes).
 *
 * Tag values need more than escaping. InfluxDB 1.6 reads a backslash in a tag value literally, except
 * before `,`, `=` or space, where it is the escape, so (checked against influxd 1.6.7):
 * - a value ending in `\` makes the line unparsable (`a\ v=1` reads the separator as an escaped space),
 *   and `\` before an escaped separator is misread (`a\\,b` is refused); writing `\\` stores two
 *   backslashes, so backslashes cannot be escaped either;
 * - a newline ends the line; the client library writes it as `\n`, which 1.6 stores as backslash + n;
 * - an empty value is refused (`missing tag value`).
 * Other versions differ in how they read backslashes. So the characters with no portable spelling are
 * percent-encoded instead: `%` itself, `\`, and the control characters U+0000–U+001F and U+007F become
 * `%XX` (two upper-case hex digits). Every other character, leading and trailing spaces included, is
 * kept. The encoding is injective (every literal `%` is encoded), so two different station ids never
 * share a series; decodeTagValue inverts it. Empty values are left out of the point: InfluxQL reads a
 * missing tag as '' (`WHERE site = ''` matches it), so nothing is lost.
 */

// eslint-disable-next-line no-control-regex
const TAG_UNSAFE = /[%\\\u0000-\u001f\u007f]/g;
// eslint-disable-next-line no-control-regex
const TAG_UNSAFE_TEST = /[%\\\u0000-\u001f\u007f]/;

/** Percent-encodes `%`, `\` and control characters (see the module comment). */
export function encodeTagValue(value: string): string {
  if (!TAG_UNSAFE_TEST.test(value)) return value;
  return value.replace(TAG_UNSAFE, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** Inverse of encodeTagValue, for tag values read back from InfluxDB. */
export function decodeTagValue(encoded: string): string {
  if (!encoded.includes('%')) return encoded;
  return encoded.replace(/%([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * Line protocol's order of tags and of fields: by key, as UTF-16 code units compare. Every renderer
 * uses this one comparator, so the direct meter lines and the point builders cannot sort apart.
 */
export const byKey = <T extends [string, ...unknown[]]>(a: T, b: T): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

const KEY_SPECIAL = /[,= ]/;
const MEASUREMENT_SPECIAL = /[, ]/;
const STRING_SPECIAL = /["\\]/;

/** Tag keys, (already encoded) tag values and field keys: `,`, `=` and space get a backslash. */
export function escapeKey(v: string): string {
  return KEY_SPECIAL.test(v) ? v.replace(/([,= ])/g, '\\$1') : v;
}

/** Measurements: `,` and space get a backslash. */
export function escapeMeasurement(v: string): string {
  return MEASUREMENT_SPECIAL.test(v) ? v.replace(/([, ])/g, '\\$1') : v;
}

/** A string field value in double quotes, `"` and `\` escaped. */
export function quoteString(v: string): string {
  return `"${STRING_SPECIAL.test(v) ? v.replace(/(["\\])/g, '\\$1') : v}"`;
}

/** `key=value` of one tag, the value encoded and escaped. */
export function tagPair(key: string, value: string): string {
  return `${escapeKey(key)}=${escapeKey(encodeTagValue(value))}`;
}
