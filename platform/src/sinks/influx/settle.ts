/**
 * Settles a batch InfluxDB refused: finds exactly which lines are bad by writing smaller parts, so
 * every line ends either written (a request holding it got a 2xx) or rejected (a request holding only it
 * got a non-retriable 4xx), never both and never neither.
 *
 * Why re-sending is safe: InfluxDB 1.x stores the good lines of a partial write, and this resends them
 * in smaller requests. A point is identified by measurement, tag set and time, and the resent line is
 * the same text, so InfluxDB overwrites the point with identical fields: it is stored once, not twice.
 * Counting follows the requests, not the server's `dropped=N` (which leaves out unparsable lines and
 * names only the first type conflict), so `written` and `rejected` are exact.
 *
 * Order of splitting: the lines the error names (hints, write-errors.ts) are tried alone and the rest as
 * one request; without usable hints the batch is halved. 413 (too large) halves without blame.
 */
import { parseWriteError, suspectIndices } from './write-errors';
import { InfluxWriteError, type InfluxWriter } from './writer';

/** Writes the lines once (retrying transient errors itself); resolves undefined or the refusal. */
export type WriteAttempt = (lines: string[]) => Promise<InfluxWriteError | undefined>;

export interface SettleHooks {
  /** Lines (by index into the settled batch) InfluxDB accepted. */
  written(indices: number[]): void | Promise<void>;
  /** A line InfluxDB refuses on its own, with the server's reason. */
  rejected(index: number, reason: string): void | Promise<void>;
}

export function rejectionReason(err: InfluxWriteError): string {
  const info = parseWriteError(err.body ?? err.message);
  const reason = info.unparsable.length === 1 ? `unable to parse: ${info.unparsable[0]!.reason}` : info.message || err.message;
  return `HTTP ${err.status ?? '?'}: ${reason}`.slice(0, 1000);
}

export async function settleLines(lines: string[], attempt: WriteAttempt, hooks: SettleHooks): Promise<void> {
  await settle(lines, lines.map((_l, i) => i), attempt, hooks);
}

async function settle(all: string[], indices: number[], attempt: WriteAttempt, hooks: SettleHooks): Promise<void> {
  if (indices.length === 0) return;
  const lines = indices.map((i) => all[i]!);
  const err = await attempt(lines);
  if (!err) return hooks.written(indices);
  if (indices.length === 1) return hooks.rejected(indices[0]!, rejectionReason(err));
  for (const part of split(indices, lines, err)) await settle(all, part, attempt, hooks);
}

function split(indices: number[], lines: string[], err: InfluxWriteError): number[][] {
  if (err.status !== 413) {
    const suspects = suspectIndices(lines, parseWriteError(err.body ?? err.message));
    if (suspects.length > 0) {
      const named = new Set(suspects);
      const rest = indices.filter((_x, k) => !named.has(k));
      // Each named line alone, then the others together.
      return [...suspects.map((k) => [indices[k]!]), rest];
    }
  }
  const half = Math.ceil(indices.length / 2);
  return [indices.slice(0, half), indices.slice(half)];
}

/** One write, no retries: for replays, where a transient error (InfluxDB down) should reach the caller. */
export function writeOnce(writer: InfluxWriter): WriteAttempt {
  return async (lines) => {
    try {
      await writer.write(lines);
      return undefined;
    } catch (err) {
      if (err instanceof InfluxWriteError && err.refusesLines) return err;
      throw err;
    }
  };
}
