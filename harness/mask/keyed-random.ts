/**
 * Deterministic randomness per (key, kind, value): the same input value always draws the same
 * stream within one key, so a masked id or card is equal wherever the original was equal,
 * and nothing about the value can be recovered from the stream without the key.
 */
import { createHmac, randomBytes } from 'node:crypto';

/** Bytes of the per-invocation key when none is given. */
export const MASK_KEY_BYTES = 32;

export function randomMaskKey(): Buffer {
  return randomBytes(MASK_KEY_BYTES);
}

/** A byte stream: HMAC(key, kind NUL value) as a seed, expanded as HMAC(seed, counter). */
export class KeyedStream {
  private readonly seed: Buffer;
  private block = Buffer.alloc(0);
  private offset = 0;
  private counter = 0;

  constructor(key: Buffer, kind: string, value: string) {
    this.seed = createHmac('sha256', key).update(kind).update('\u0000').update(value).digest();
  }

  byte(): number {
    if (this.offset >= this.block.length) {
      const c = Buffer.alloc(4);
      c.writeUInt32BE(this.counter++);
      this.block = createHmac('sha256', this.seed).update(c).digest();
      this.offset = 0;
    }
    return this.block[this.offset++]!;
  }

  /** Uniform integer in [0, n), n ≤ 256, by rejection (no modulo bias). */
  below(n: number): number {
    const limit = 256 - (256 % n);
    for (;;) {
      const b = this.byte();
      if (b < limit) return b % n;
    }
  }

  digit(): string {
    return String(this.below(10));
  }

  lower(): string {
    return String.fromCharCode(97 + this.below(26));
  }

  upper(): string {
    return String.fromCharCode(65 + this.below(26));
  }

  /** A 31-bit seed for a faker instance. */
  int31(): number {
    return ((this.byte() << 23) | (this.byte() << 15) | (this.byte() << 7) | (this.byte() >> 1)) >>> 0;
  }
}

/**
 * Replaces each ASCII letter and digit with a random one of the same class (case kept),
 * keeps every other character: `Ab3-x` → `Qz8-k`. Non-ASCII letters become lower-case ASCII,
 * other digits ASCII digits.
 */
export function shapeMask(value: string, stream: KeyedStream): string {
  let out = '';
  for (const ch of value) {
    if (ch >= 'a' && ch <= 'z') out += stream.lower();
    else if (ch >= 'A' && ch <= 'Z') out += stream.upper();
    else if (ch >= '0' && ch <= '9') out += stream.digit();
    else if (/\p{L}/u.test(ch)) out += stream.lower();
    else if (/\p{N}/u.test(ch)) out += stream.digit();
    else out += ch;
  }
  return out;
}
