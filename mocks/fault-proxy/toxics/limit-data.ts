import { count, defineToxic } from './types.js';

/**
 * Lets exactly `bytes` bytes through (counted from when the toxic became active on the
 * link), then closes the connection.
 */
export const limitDataToxic = defineToxic<{ bytes: number }>({
  type: 'limit_data',
  attributes: { bytes: count(0, Number.MAX_SAFE_INTEGER) },
  create({ bytes }, rt) {
    let sent = 0;
    return {
      async onData(chunk, push) {
        if (rt.stopped) return push(chunk);
        const room = bytes - sent;
        if (room > 0) {
          const piece = chunk.data.length <= room ? chunk.data : chunk.data.subarray(0, room);
          sent += piece.length;
          await push({ data: piece, at: chunk.at });
        }
        if (sent >= bytes) rt.closeConnection();
      },
    };
  },
});
