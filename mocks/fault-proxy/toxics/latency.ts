import { count, defineToxic } from './types.js';

/**
 * Delays every chunk by `latency` ± `jitter` ms, counted from when the proxy read it,
 * so a burst of chunks is delayed once, not once per chunk (as Toxiproxy does).
 */
export const latencyToxic = defineToxic<{ latency: number; jitter: number }>({
  type: 'latency',
  attributes: { latency: count(0), jitter: count(0) },
  create({ latency, jitter }, rt) {
    return {
      async onData(chunk, push) {
        const offset = jitter === 0 ? 0 : Math.round((rt.random() * 2 - 1) * jitter);
        const wait = chunk.at + Math.max(0, latency + offset) - rt.now();
        if (wait > 0) await rt.sleep(wait);
        await push(chunk);
      },
    };
  },
});
