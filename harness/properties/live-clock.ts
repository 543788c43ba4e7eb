/**
 * A number-like clock for the webhook arbitraries (harness/webhooks/arbitraries.ts take
 * `nowSec: number`). fast-check maps each generated and each shrunk value right before running
 * it, so a clock read at map time makes "now+299 s" mean now when the case is sent, not when
 * the arbitrary was built: a case shrunk or replayed seconds later keeps its meaning at the
 * tolerance edges. Arithmetic (`now + 300`), `Math.trunc` and `String()` all read the clock.
 */
export function liveNowSec(now: () => number): number {
  const read = () => Math.floor(now() / 1000);
  const clock = {
    valueOf: read,
    toString: () => String(read()),
    toJSON: read,
    [Symbol.toPrimitive]: (hint: string) => (hint === 'string' ? String(read()) : read()),
  };
  return clock as unknown as number;
}
