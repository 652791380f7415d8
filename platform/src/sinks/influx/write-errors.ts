/**
 * Reads InfluxDB's answer to a refused write, so the sink can tell which lines were bad and why.
 *
 * - 1.x: `{"error":"…"}`. Unparsable lines are quoted, one per line of the message:
 *   `unable to parse '<line>': <reason>`; with some lines stored the message starts `partial write:` and
 *   ends `dropped=N` (N counts points dropped after parsing: type conflicts, retention; not the
 *   unparsable ones). A type conflict names only the first one. So the hints are incomplete: the sink
 *   uses them to split first and bisects the rest.
 * - 2.x: `{"code":"invalid","message":"…"}`, the message naming lines as `line N: …` (1-based) or
 *   quoting them like 1.x.
 * - 3.x: `{"error":"…","data":[{"original_line":"…","line_number":N,"error_message":"…"}]}`.
 */
export interface UnparsableLine {
  line: string;
  reason: string;
}

export interface WriteErrorInfo {
  /** The server's message (the JSON `error`/`message`, else the body), trimmed. */
  message: string;
  /** The server says it stored some of the lines. */
  partial: boolean;
  /** 1.x `dropped=N`. */
  dropped?: number;
  /** Lines the server quoted as unparsable. */
  unparsable: UnparsableLine[];
  /** 1-based numbers of lines the server named. */
  lineNumbers: number[];
}

const QUOTE = "unable to parse '";

export function parseWriteError(body: string | undefined): WriteErrorInfo {
  const text = (body ?? '').trim();
  let message = text;
  const lineNumbers = new Set<number>();
  const unparsable: UnparsableLine[] = [];
  try {
    const json = JSON.parse(text) as { error?: unknown; message?: unknown; data?: unknown };
    if (typeof json.error === 'string') message = json.error;
    else if (typeof json.message === 'string') message = json.message;
    if (Array.isArray(json.data)) {
      for (const d of json.data as Array<Record<string, unknown>>) {
        if (typeof d.line_number === 'number') lineNumbers.add(d.line_number);
        if (typeof d.original_line === 'string') unparsable.push({ line: d.original_line, reason: String(d.error_message ?? message) });
      }
    }
  } catch {
    // Not JSON (a proxy's page): the body is the message.
  }
  message = message.trim();
  // Each quoted line runs to the last "': " before the next quote (a line may itself contain "': ").
  const starts: number[] = [];
  for (let i = message.indexOf(QUOTE); i >= 0; i = message.indexOf(QUOTE, i + QUOTE.length)) starts.push(i);
  starts.forEach((start, k) => {
    const end = k + 1 < starts.length ? starts[k + 1]! : message.length;
    const chunk = message.slice(start + QUOTE.length, end);
    const sep = chunk.lastIndexOf("': ");
    if (sep < 0) return;
    const reason = chunk.slice(sep + 3).replace(/\s*dropped=\d+\s*$/, '').trim();
    unparsable.push({ line: chunk.slice(0, sep), reason });
  });
  for (const m of message.matchAll(/\bline (\d+)\b/g)) lineNumbers.add(Number(m[1]));
  const dropped = /\bdropped=(\d+)/.exec(message);
  return {
    message,
    partial: /^partial write/i.test(message),
    ...(dropped ? { dropped: Number(dropped[1]) } : {}),
    unparsable,
    lineNumbers: [...lineNumbers].sort((a, b) => a - b),
  };
}

/**
 * Indices of the lines of `lines` the error names (quoted or by number). Only hints: the sink confirms
 * each by writing it alone.
 */
export function suspectIndices(lines: string[], info: WriteErrorInfo): number[] {
  const out = new Set<number>();
  if (info.unparsable.length) {
    const quoted = new Set(info.unparsable.map((u) => u.line));
    lines.forEach((l, i) => {
      if (quoted.has(l)) out.add(i);
    });
  }
  for (const n of info.lineNumbers) if (n >= 1 && n <= lines.length) out.add(n - 1);
  return [...out].sort((a, b) => a - b);
}

/**
 * The line InfluxDB complained about: 1.x quotes it (`unable to parse '…'`), 2.x names its number
 * (`line 3: …`), a field type conflict names the measurement. Falls back to the first line of the batch.
 */
export function firstFailingLine(lines: string[], errorBody: string): string | undefined {
  const quoted = errorBody.indexOf("unable to parse '");
  if (quoted >= 0) {
    const start = quoted + "unable to parse '".length;
    const end = errorBody.indexOf("': ", start);
    const text = errorBody.slice(start, end > start ? end : undefined);
    // The body is JSON; undo its string escaping well enough to match the original line.
    const unescaped = text.replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    return lines.find((l) => l === unescaped) ?? unescaped;
  }
  const lineNo = /\bline (\d+)\b/.exec(errorBody);
  if (lineNo) {
    const line = lines[Number(lineNo[1]) - 1];
    if (line !== undefined) return line;
  }
  const measurement = /on measurement \\?"([^"\\]+)\\?"/.exec(errorBody);
  if (measurement) {
    const m = measurement[1]!;
    const line = lines.find((l) => l.startsWith(`${m},`) || l.startsWith(`${m} `));
    if (line !== undefined) return line;
  }
  return lines[0];
}
