import type { Socket } from 'node:net';
import type { Chunk, ToxicStage } from './toxics/types.js';
import type { StageRuntime } from './runtime.js';

/** A toxic active on a link, with the timers it owns there. */
export interface ActiveStage {
  name: string;
  stage: ToxicStage;
  runtime: StageRuntime;
}

/** Read no more from the source while this much sits delayed in the chain (bounded memory). */
const HIGH_WATER_BYTES = 1024 * 1024;
const LOW_WATER_BYTES = 256 * 1024;
const END = Symbol('end');

/**
 * One direction of one proxied connection. With no toxic it is a plain `src.pipe(dst)`,
 * so the clean path costs what a pipe costs. When a toxic arrives (also mid-connection,
 * as in Toxiproxy) the link unpipes and feeds chunks through the toxics in order. It then
 * stays on that path until it closes, even if the toxics are removed: an empty chain only
 * forwards, and switching back could reorder data still in flight.
 */
export class Link {
  private mode: 'pipe' | 'chain' = 'pipe';
  private stages: ActiveStage[] = [];
  private readonly queue: Array<Chunk | typeof END> = [];
  private queuedBytes = 0;
  private pausedForBuffer = false;
  private draining = false;
  private closed = false;
  private sawEnd = false;
  private readonly drainWaiters = new Set<() => void>();

  constructor(
    private readonly src: Socket,
    private readonly dst: Socket,
    private readonly now: () => number,
    private readonly onFailure: (error: unknown) => void,
  ) {}

  /** True once the source sent its FIN (so its close is not an abort). */
  get ended(): boolean {
    return this.sawEnd;
  }

  start(initial: ActiveStage[]): void {
    this.stages = initial;
    this.src.on('end', () => {
      this.sawEnd = true;
      if (this.mode === 'pipe') this.dst.end();
      else this.enqueue(END, 0);
    });
    if (initial.length > 0) this.enterChain();
    else this.src.pipe(this.dst, { end: false });
  }

  add(stage: ActiveStage): void {
    if (this.closed) return stage.runtime.stop();
    this.stages = [...this.stages, stage];
    if (this.mode === 'pipe') this.enterChain(); // starts every stage, i.e. this one
    else stage.stage.start?.();
  }

  /** Stops and drops the named toxic; data it holds is released at once. */
  remove(name: string): void {
    const gone = this.stages.filter((s) => s.name === name);
    this.stages = this.stages.filter((s) => s.name !== name);
    for (const s of gone) s.runtime.stop();
  }

  /** Stops every toxic timer and wakes every waiter; the sockets are the connection's job. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.stages) s.runtime.stop();
    this.stages = [];
    this.queue.length = 0;
    for (const wake of [...this.drainWaiters]) wake();
  }

  private enterChain(): void {
    this.mode = 'chain';
    this.src.unpipe(this.dst);
    this.src.on('data', (data: Buffer) => this.enqueue({ data, at: this.now() }, data.length));
    // unpipe() left the source paused; anything it buffered arrives through 'data' in order.
    this.src.resume();
    for (const s of this.stages) s.stage.start?.();
  }

  private enqueue(item: Chunk | typeof END, size: number): void {
    if (this.closed) return;
    this.queue.push(item);
    this.queuedBytes += size;
    if (!this.pausedForBuffer && this.queuedBytes > HIGH_WATER_BYTES) {
      this.pausedForBuffer = true;
      this.src.pause();
    }
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0 && !this.closed) {
        const item = this.queue.shift()!;
        // A snapshot: a toxic added mid-chunk applies from the next chunk on.
        const stages = this.stages;
        if (item === END) {
          for (const s of stages) await s.stage.onEnd?.();
          if (!this.closed && !this.dst.destroyed) this.dst.end();
          continue;
        }
        await this.run(stages, 0, item);
        this.queuedBytes -= item.data.length;
        if (this.pausedForBuffer && this.queuedBytes < LOW_WATER_BYTES) {
          this.pausedForBuffer = false;
          this.src.resume();
        }
      }
    } catch (error) {
      this.onFailure(error);
    } finally {
      this.draining = false;
    }
  }

  private run(stages: ActiveStage[], index: number, chunk: Chunk): Promise<void> {
    if (this.closed) return Promise.resolve();
    const current = stages[index];
    if (!current) return this.write(chunk.data);
    return Promise.resolve(current.stage.onData(chunk, (next) => this.run(stages, index + 1, next)));
  }

  private write(data: Buffer): Promise<void> {
    if (this.closed || this.dst.destroyed || this.dst.writableEnded || data.length === 0) return Promise.resolve();
    if (this.dst.write(data)) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        this.dst.off('drain', wake);
        this.dst.off('close', wake);
        this.drainWaiters.delete(wake);
        resolve();
      };
      this.drainWaiters.add(wake);
      this.dst.on('drain', wake);
      this.dst.on('close', wake);
    });
  }
}
