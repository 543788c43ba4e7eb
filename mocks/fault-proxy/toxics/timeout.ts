import { count, defineToxic } from './types.js';

/**
 * Stops all data (it is dropped, as in Toxiproxy) and closes the connection `timeout` ms
 * after the toxic became active on it; 0 = never close, drop until the toxic is removed.
 */
export const timeoutToxic = defineToxic<{ timeout: number }>({
  type: 'timeout',
  attributes: { timeout: count(0) },
  create({ timeout }, rt) {
    return {
      start() {
        if (timeout > 0) rt.after(timeout, () => rt.closeConnection());
      },
      onData(chunk, push) {
        // Once removed, anything still queued behind it flows again.
        if (rt.stopped) return push(chunk);
      },
    };
  },
});
