import { count, defineToxic } from './types.js';

/**
 * Cuts data into pieces of `average_size` ± `size_variation` bytes (at least 1), waiting
 * `delay` µs between pieces; average_size 0 leaves chunks whole. Bytes and order are kept.
 */
export const slicerToxic = defineToxic<{ average_size: number; size_variation: number; delay: number }>({
  type: 'slicer',
  attributes: { average_size: count(0), size_variation: count(0), delay: count(0) },
  create({ average_size, size_variation, delay }, rt) {
    const variation = Math.min(size_variation, Math.max(0, average_size - 1));
    return {
      async onData(chunk, push) {
        if (average_size === 0 || rt.stopped) return push(chunk);
        let offset = 0;
        while (offset < chunk.data.length) {
          const size = Math.max(1, average_size + Math.round((rt.random() * 2 - 1) * variation));
          const piece = chunk.data.subarray(offset, offset + size);
          offset += piece.length;
          await push({ data: piece, at: chunk.at });
          if (delay > 0 && offset < chunk.data.length && !rt.stopped) await rt.sleep(delay / 1000);
        }
      },
    };
  },
});
