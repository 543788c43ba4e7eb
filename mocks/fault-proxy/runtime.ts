import type { ToxicRuntime } from './toxics/types.js';

export interface Clock {
  now(): number;
  random(): number;
}

/**
 * The timers of one toxic on one link. `stop()` (toxic removed, link closed) cancels
 * pending timers and wakes every sleeper, so nothing outlives the connection.
 */
export class StageRuntime implements ToxicRuntime {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sleepers = new Set<() => void>();
  private isStopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly connection: { close(): void; reset(): void },
  ) {}

  get stopped(): boolean {
    return this.isStopped;
  }

  now(): number {
    return this.clock.now();
  }

  random(): number {
    return this.clock.random();
  }

  sleep(ms: number): Promise<void> {
    if (this.isStopped || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.timers.delete(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.timers.add(timer);
      this.sleepers.add(wake);
    });
  }

  after(ms: number, fn: () => void): void {
    if (this.isStopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.isStopped) fn();
    }, Math.max(0, ms));
    this.timers.add(timer);
  }

  closeConnection(): void {
    if (!this.isStopped) this.connection.close();
  }

  resetConnection(): void {
    if (!this.isStopped) this.connection.reset();
  }

  stop(): void {
    this.isStopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const wake of [...this.sleepers]) wake();
  }
}
