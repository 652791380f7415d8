/**
 * A hand-written reference reader of one line of line protocol, reading it the way influxd 1.6.7 does
 * (measured against the real server, see line-protocol.ts): in the measurement, tag keys, tag values and
 * field keys a backslash escapes only `,`, `=` and space and is literal elsewhere; string fields unescape
 * `\"` and `\\`. Throws where 1.6 refuses the line (empty tag value, unescaped `=` in a tag value,
 * no fields). Numbers are returned as their text.
 */
export interface ParsedLine {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, string>;
  time: string;
}

export function parseLine(line: string): ParsedLine {
  let i = 0;
  /** Reads up to an unescaped char of `stops`; returns the unescaped text. */
  const readPlain = (stops: string): string => {
    let out = '';
    while (i < line.length && !stops.includes(line[i]!)) {
      const ch = line[i]!;
      if (ch === '\\' && i + 1 < line.length && ',= '.includes(line[i + 1]!)) {
        out += line[i + 1];
        i += 2;
      } else {
        if (ch === '\n') throw new Error('newline outside a string field');
        out += ch;
        i++;
      }
    }
    return out;
  };
  const measurement = readPlain(', ');
  if (!measurement) throw new Error('missing measurement');
  const tags: Record<string, string> = {};
  while (line[i] === ',') {
    i++;
    const key = readPlain('= ,');
    if (line[i] !== '=') throw new Error('invalid tag format');
    i++;
    const value = readPlain(', =');
    if (line[i] === '=') throw new Error('invalid tag format');
    if (!key || !value) throw new Error('missing tag value');
    tags[key] = value;
  }
  if (line[i] !== ' ') throw new Error('missing fields');
  i++;
  const fields: Record<string, string> = {};
  for (;;) {
    const key = readPlain('= ,');
    if (line[i] !== '=' || !key) throw new Error('invalid field format');
    i++;
    if (line[i] === '"') {
      i++;
      let v = '';
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) {
          v += line[i + 1];
          i += 2;
        } else v += line[i++];
      }
      if (line[i] !== '"') throw new Error('unterminated string');
      i++;
      fields[key] = v;
    } else {
      const start = i;
      while (i < line.length && line[i] !== ',' && line[i] !== ' ') i++;
      fields[key] = line.slice(start, i);
    }
    if (line[i] === ',') {
      i++;
      continue;
    }
    break;
  }
  if (Object.keys(fields).length === 0) throw new Error('missing fields');
  if (line[i] !== ' ') throw new Error('missing timestamp');
  const time = line.slice(i + 1);
  if (!/^-?\d+$/.test(time)) throw new Error('bad timestamp');
  return { measurement, tags, fields, time };
}
