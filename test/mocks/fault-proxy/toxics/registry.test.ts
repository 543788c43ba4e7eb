import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StageRuntime } from '../../../../mocks/fault-proxy/runtime.js';
import { normaliseAttributes, TOXIC_TYPES } from '../../../../mocks/fault-proxy/toxics/registry.js';
import type { Chunk } from '../../../../mocks/fault-proxy/toxics/types.js';

/** Runs chunks through one toxic stage (no sockets) and collects what it lets through. */
async function runStage(type: string, attributes: Record<string, number>, chunks: Buffer[], random: () => number) {
  const def = TOXIC_TYPES.get(type)!;
  const events: string[] = [];
  const runtime = new StageRuntime({ now: () => performance.now(), random }, { close: () => events.push('close'), reset: () => events.push('reset') });
  const stage = def.create(normaliseAttributes(def, attributes).attributes, runtime);
  stage.start?.();
  const out: Buffer[] = [];
  for (const data of chunks) await stage.onData({ data, at: performance.now() }, async (c: Chunk) => void out.push(c.data));
  await stage.onEnd?.();
  runtime.stop();
  return { out, events };
}

describe('toxic catalogue', () => {
  it('every attribute default is inside its own range', () => {
    for (const def of TOXIC_TYPES.values()) {
      for (const [name, spec] of Object.entries(def.attributes)) {
        expect(spec.default, `${def.type}.${name}`).toBeGreaterThanOrEqual(spec.min);
        expect(spec.default, `${def.type}.${name}`).toBeLessThanOrEqual(spec.max);
      }
    }
  });

  it('data-preserving toxics pass every byte, in order (property)', async () => {
    const cases = fc.oneof(
      fc.record({ type: fc.constant('latency'), attributes: fc.record({ latency: fc.integer({ min: 0, max: 2 }), jitter: fc.integer({ min: 0, max: 2 }) }) }),
      fc.record({ type: fc.constant('bandwidth'), attributes: fc.record({ rate: fc.integer({ min: 0, max: 1 }).map((r) => r * 10_000) }) }),
      fc.record({ type: fc.constant('slow_close'), attributes: fc.record({ delay: fc.integer({ min: 0, max: 2 }) }) }),
      fc.record({
        type: fc.constant('slicer'),
        attributes: fc.record({ average_size: fc.integer({ min: 0, max: 20 }), size_variation: fc.integer({ min: 0, max: 30 }), delay: fc.constant(0) }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(cases, fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { minLength: 1, maxLength: 5 }), fc.double({ min: 0, max: 0.999, noNaN: true }), async (c, arrays, r) => {
        const chunks = arrays.map((a) => Buffer.from(a));
        const { out, events } = await runStage(c.type, c.attributes, chunks, () => r);
        expect(Buffer.concat(out).equals(Buffer.concat(chunks))).toBe(true);
        expect(out.every((piece) => piece.length > 0)).toBe(true);
        expect(events).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it('limit_data passes exactly `bytes` bytes for any chunking, then closes (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ minLength: 1, maxLength: 50 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 0, max: 200 }), async (arrays, bytes) => {
        const chunks = arrays.map((a) => Buffer.from(a));
        const all = Buffer.concat(chunks);
        const { out, events } = await runStage('limit_data', { bytes }, chunks, Math.random);
        expect(Buffer.concat(out).equals(all.subarray(0, bytes))).toBe(true);
        expect(events.includes('close')).toBe(all.length >= bytes);
      }),
    );
  });

  it('timeout drops everything while active', async () => {
    const { out } = await runStage('timeout', { timeout: 0 }, [Buffer.from('abc')], Math.random);
    expect(out).toEqual([]);
  });
});
