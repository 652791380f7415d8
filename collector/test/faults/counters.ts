/** What the fault suite's reliable stations count, and sums and differences of those counts. */

export interface StationCounters {
  /** Calls sent (first tries and retries). */
  attempts: number;
  /** Messages acknowledged with a CALLRESULT. */
  acked: number;
  /** Attempts answered with a CALLERROR, by error code. */
  refused: Record<string, number>;
  /** Attempts that got no answer in time. */
  timeouts: number;
  /** Attempts lost with their connection (or not sendable). */
  dropped: number;
  /** Messages that needed more than one attempt. */
  retried: number;
  /** Websocket connections opened (the first one included). */
  connects: number;
  /** Websocket closes seen, by close code. */
  closes: Record<string, number>;
  /** Answers to calls the station had already given up on (after a timeout). */
  lateAnswers: number;
  /** Acknowledged messages sent once more, as after an answer lost on the way. */
  resent: number;
}

export function emptyCounters(): StationCounters {
  return { attempts: 0, acked: 0, refused: {}, timeouts: 0, dropped: 0, retried: 0, connects: 0, closes: {}, lateAnswers: 0, resent: 0 };
}

export function addCounters(into: StationCounters, c: StationCounters): StationCounters {
  for (const k of ['attempts', 'acked', 'timeouts', 'dropped', 'retried', 'connects', 'lateAnswers', 'resent'] as const) into[k] += c[k];
  for (const [code, n] of Object.entries(c.refused)) into.refused[code] = (into.refused[code] ?? 0) + n;
  for (const [code, n] of Object.entries(c.closes)) into.closes[code] = (into.closes[code] ?? 0) + n;
  return into;
}

export function diffCounters(after: StationCounters, before: StationCounters): StationCounters {
  const d = emptyCounters();
  for (const k of ['attempts', 'acked', 'timeouts', 'dropped', 'retried', 'connects', 'lateAnswers', 'resent'] as const) d[k] = after[k] - before[k];
  for (const [code, n] of Object.entries(after.refused)) if (n - (before.refused[code] ?? 0)) d.refused[code] = n - (before.refused[code] ?? 0);
  for (const [code, n] of Object.entries(after.closes)) if (n - (before.closes[code] ?? 0)) d.closes[code] = n - (before.closes[code] ?? 0);
  return d;
}

export function cloneCounters(c: StationCounters): StationCounters {
  return addCounters(emptyCounters(), c);
}
