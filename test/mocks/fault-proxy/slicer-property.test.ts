import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type StartedFaultProxy } from '../../../mocks/fault-proxy/index.js';
import { connectClient, destroyClient, portOf, roundTrip, startEchoServer, type Upstream } from './helpers.js';

/** mulberry32: a tiny seeded PRNG so a failing case replays with fast-check's seed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('slicing and jitter never corrupt or reorder bytes (property)', () => {
  let fp: StartedFaultProxy;
  let echo: Upstream;
  let port: number;
  let random = seeded(1);

  beforeAll(async () => {
    fp = await startFaultProxy({ apiPort: 0, random: () => random() });
    echo = await startEchoServer();
    port = portOf((await fp.createProxy({ name: 'echo', listen: '127.0.0.1:0', upstream: echo.hostPort })).listen);
  });

  afterAll(async () => {
    await fp.close();
    await echo.close();
  });

  it('echo through slicers (both directions) and latency jitter returns the payload intact', async () => {
    const slicer = fc.record({
      average_size: fc.integer({ min: 0, max: 64 }),
      size_variation: fc.integer({ min: 0, max: 64 }),
      delay: fc.integer({ min: 0, max: 300 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 4096 }),
        fc.integer({ min: 1, max: 8 }),
        slicer,
        slicer,
        fc.record({ latency: fc.integer({ min: 0, max: 3 }), jitter: fc.integer({ min: 0, max: 3 }) }),
        fc.integer(),
        async (payload, writes, up, down, latency, seed) => {
          random = seeded(seed);
          await fp.reset();
          fp.addToxic('echo', { type: 'slicer', stream: 'upstream', attributes: up });
          fp.addToxic('echo', { type: 'latency', stream: 'downstream', attributes: latency });
          fp.addToxic('echo', { type: 'slicer', stream: 'downstream', attributes: down });
          const client = await connectClient(port);
          try {
            const data = Buffer.from(payload);
            // several writes, so chunk boundaries also vary on the way in
            const step = Math.ceil(data.length / writes);
            for (let i = 0; i < data.length; i += step) client.socket.write(data.subarray(i, i + step));
            await roundTrip(client, Buffer.alloc(0), data.length, 10_000);
            expect(client.bytes().equals(data)).toBe(true);
          } finally {
            await destroyClient(client);
          }
        },
      ),
      { numRuns: 30, interruptAfterTimeLimit: 40_000 },
    );
  });
});
