import { count, defineToxic } from './types.js';

/**
 * Simulates "connection reset by peer": `timeout` ms after the toxic became active on a
 * connection (0 = at once) both sockets are aborted with a TCP RST. Data flows until then.
 */
export const resetPeerToxic = defineToxic<{ timeout: number }>({
  type: 'reset_peer',
  attributes: { timeout: count(0) },
  create({ timeout }, rt) {
    return {
      start() {
        rt.after(timeout, () => rt.resetConnection());
      },
      onData: (chunk, push) => push(chunk),
    };
  },
});
