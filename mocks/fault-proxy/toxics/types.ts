/** A piece of stream data and when the proxy read it (ms, from the injected clock). */
export interface Chunk {
  data: Buffer;
  at: number;
}

/** Where a toxic sends what it lets through: the next toxic, or the destination socket. */
export type PushFn = (chunk: Chunk) => Promise<void>;

/** What a toxic instance on one link may use. Timers stop when the toxic is removed or the link closes. */
export interface ToxicRuntime {
  now(): number;
  /** Uniform in [0, 1); injected so jitter and slicing replay from a seed. */
  random(): number;
  /** Resolves after `ms`, or early once the toxic is removed or the link closes (never rejects). */
  sleep(ms: number): Promise<void>;
  /** Runs `fn` after `ms` unless the toxic is removed or the link closes first. */
  after(ms: number, fn: () => void): void;
  /** True once the toxic was removed or the link closed: stages stop delaying. */
  readonly stopped: boolean;
  /** Closes both sides of the connection gracefully (FIN) once pushed data is flushed. */
  closeConnection(): void;
  /** Aborts both sides of the connection with a TCP RST. */
  resetConnection(): void;
}

/** A toxic active on one direction of one connection. */
export interface ToxicStage {
  /** Called once when the toxic becomes active on the link. */
  start?(): void;
  /** Handles one chunk; chunks reach a stage one at a time, in order. */
  onData(chunk: Chunk, push: PushFn): Promise<void> | void;
  /** Called when the source half-closed; end is forwarded after this resolves. */
  onEnd?(): Promise<void> | void;
}

export interface AttributeSpec {
  default: number;
  min: number;
  max: number;
  integer: boolean;
}

/** One toxic type: Toxiproxy's name, its numeric attributes, and the stage factory. */
export interface ToxicDefinition<A extends Record<string, number> = Record<string, number>> {
  type: string;
  attributes: { [K in keyof A]: AttributeSpec };
  create(attributes: A, runtime: ToxicRuntime): ToxicStage;
}

/** An attribute that is a whole number of ms/bytes/etc., 0..max. */
export function count(defaultValue: number, max = 2 ** 31): AttributeSpec {
  return { default: defaultValue, min: 0, max, integer: true };
}

export function defineToxic<A extends Record<string, number>>(def: ToxicDefinition<A>): ToxicDefinition<A> {
  return def;
}
