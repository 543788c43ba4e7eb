import { count, defineToxic } from './types.js';

/** Holds the close (FIN) of the stream back for `delay` ms; data is untouched. */
export const slowCloseToxic = defineToxic<{ delay: number }>({
  type: 'slow_close',
  attributes: { delay: count(0) },
  create({ delay }, rt) {
    return {
      onData: (chunk, push) => push(chunk),
      async onEnd() {
        if (delay > 0) await rt.sleep(delay);
      },
    };
  },
});
