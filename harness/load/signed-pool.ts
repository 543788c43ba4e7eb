import type { SignatureScheme } from '../manifest/types.js';
import { signatureHeaders } from '../webhooks/sign.js';
import type { PlannedSend } from './types.js';

/** One request ready for the wire: exact body bytes and signed headers. */
export interface PreparedSend {
  /** Position in the plan (send order). */
  index: number;
  event: number;
  duplicate: boolean;
  deliveryId: string;
  body: Buffer;
  headers: Record<string, string>;
  /** Unix seconds the signature carries. */
  signedAt: number;
}

export interface SignedPoolOptions {
  scheme: SignatureScheme;
  secret: string;
  /** Manifest `webhooks.toleranceSec`: signatures are refreshed before a third of it passes. */
  toleranceSec: number;
  sends: readonly PlannedSend[];
  /** Serialised envelope per event, the exact bytes sent (every repeat sends the same bytes). */
  bodies: readonly Buffer[];
  /** One delivery id per event: a repeat is the hub retrying the same message. */
  deliveryIds: readonly string[];
  eventTypes: readonly string[];
  /** Unix seconds (injected clock). */
  nowSec: () => number;
}

/**
 * The pool of pre-signed deliveries the load draws from. Bodies are serialised and every
 * send is signed before the load starts, so the hot path (`next()`) only hands out
 * prepared bytes; signing is never the bottleneck. A signature older than a third of the
 * tolerance window when its turn comes is re-signed on the spot (one HMAC, microseconds),
 * so even a window of a few seconds never turns valid load into stale deliveries.
 */
export class SignedPool {
  private readonly prepared: PreparedSend[];
  private cursor = 0;
  private readonly maxAgeSec: number;
  resigned = 0;
  readonly signedAhead: number;

  constructor(private readonly opts: SignedPoolOptions) {
    this.maxAgeSec = Math.max(1, Math.floor(opts.toleranceSec / 3));
    const now = opts.nowSec();
    this.prepared = opts.sends.map((s, index) => this.sign({ index, event: s.event, duplicate: s.duplicate, deliveryId: opts.deliveryIds[s.event]!, body: opts.bodies[s.event]!, headers: {}, signedAt: now }, now));
    this.signedAhead = this.prepared.length;
  }

  get size(): number {
    return this.prepared.length;
  }

  get taken(): number {
    return this.cursor;
  }

  remaining(): number {
    return this.prepared.length - this.cursor;
  }

  /** The next send in plan order, fresh enough to verify; undefined when the plan is used up. */
  next(): PreparedSend | undefined {
    const p = this.prepared[this.cursor];
    if (!p) return undefined;
    this.cursor++;
    const now = this.opts.nowSec();
    if (now - p.signedAt >= this.maxAgeSec) {
      this.resigned++;
      return this.sign(p, now);
    }
    return p;
  }

  /** Every prepared send (tests verify them with the public libraries). */
  all(): readonly PreparedSend[] {
    return this.prepared;
  }

  private sign(p: PreparedSend, now: number): PreparedSend {
    p.headers = signatureHeaders({
      scheme: this.opts.scheme,
      secret: this.opts.secret,
      deliveryId: p.deliveryId,
      timestamp: now,
      body: p.body,
      eventType: this.opts.eventTypes[p.event],
    });
    p.signedAt = now;
    return p;
  }
}
