import { count, defineToxic } from './types.js';

/** Slices per second of budget: big chunks go out in 100 ms pieces, so the rate is smooth. */
const PIECES_PER_SECOND = 10;

/**
 * Limits throughput to `rate` KB/s (1 KB = 1000 bytes, as Toxiproxy counts); 0 = unlimited.
 * Each piece waits for the time its size costs at the rate.
 */
export const bandwidthToxic = defineToxic<{ rate: number }>({
  type: 'bandwidth',
  attributes: { rate: count(0) },
  create({ rate }, rt) {
    const bytesPerMs = rate; // rate KB/s == rate bytes/ms
    const pieceSize = Math.max(1, Math.floor((rate * 1000) / PIECES_PER_SECOND));
    return {
      async onData(chunk, push) {
        if (rate === 0 || rt.stopped) return push(chunk);
        for (let offset = 0; offset < chunk.data.length; offset += pieceSize) {
          const piece = chunk.data.subarray(offset, offset + pieceSize);
          if (!rt.stopped) await rt.sleep(piece.length / bytesPerMs);
          await push({ data: piece, at: chunk.at });
        }
      },
    };
  },
});
