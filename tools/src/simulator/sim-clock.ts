/**
 * A station's timers in simulated time: `speed` simulated seconds pass per real second. Every timer is
 * tracked so stopping the station cancels them all, and none fires after the station stopped.
 */
export class SimClock {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    readonly speed: number,
    private readonly isStopped: () => boolean,
  ) {}

  realMs(simSec: number): number {
    return Math.max(1, Math.round((simSec * 1000) / this.speed));
  }

  timer(simSec: number, fn: () => void): NodeJS.Timeout {
    return this.timerMs(this.realMs(simSec), fn);
  }

  timerMs(ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.isStopped()) fn();
    }, ms);
    this.timers.add(t);
    return t;
  }

  clear(t: NodeJS.Timeout | undefined): void {
    if (!t) return;
    clearTimeout(t);
    this.timers.delete(t);
  }

  clearAll(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  sleepMs(ms: number): Promise<void> {
    return new Promise((resolve) => this.timerMs(ms, resolve));
  }

  sleepSim(simSec: number): Promise<void> {
    return this.sleepMs(this.realMs(simSec));
  }
}
