/**
 * The sink's queue of lines in arrival order: chunks as the callers handed them over, consumed from the
 * front without copying them, so a record() of thousands of lines costs one push.
 */
interface Chunk {
  lines: string[];
  /** Index of the first unsent line. */
  offset: number;
  at: number;
}

export interface Batch {
  lines: string[];
  oldestAt: number;
}

export class LineBuffer {
  private chunks: Chunk[] = [];
  private head = 0;
  /** Lines queued and not yet taken. */
  size = 0;

  push(lines: string[], at: number): void {
    this.chunks.push({ lines, offset: 0, at });
    this.size += lines.length;
  }

  /** When the oldest queued line arrived; undefined when empty. */
  oldestAt(): number | undefined {
    return this.chunks[this.head]?.at;
  }

  /** Removes up to `max` lines from the front. */
  take(max: number, now: () => number): Batch {
    const lines: string[] = [];
    let oldestAt = Infinity;
    while (lines.length < max && this.head < this.chunks.length) {
      const chunk = this.chunks[this.head]!;
      if (chunk.at < oldestAt) oldestAt = chunk.at;
      const n = Math.min(max - lines.length, chunk.lines.length - chunk.offset);
      for (let i = 0; i < n; i++) lines.push(chunk.lines[chunk.offset + i]!);
      chunk.offset += n;
      if (chunk.offset >= chunk.lines.length) {
        this.chunks[this.head] = undefined as unknown as Chunk;
        this.head++;
      }
    }
    if (this.head > 1024 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
    this.size -= lines.length;
    return { lines, oldestAt: Number.isFinite(oldestAt) ? oldestAt : now() };
  }

  clear(): void {
    this.chunks = [];
    this.head = 0;
    this.size = 0;
  }
}
