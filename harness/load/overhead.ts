import autocannon from 'autocannon';
import { driveLoad } from './drive.js';
import { LOAD_LIMITS } from './plan.js';
import type { PreparedSend } from './signed-pool.js';
import { isOk } from './stats.js';
import type { OverheadSummary } from './types.js';

export const OVERHEAD_BASELINE =
  'plain autocannon, same connections and duration, repeating one pre-signed valid delivery (same endpoint, headers and body size; the connector verifies each and answers it as a duplicate)';

export interface OverheadOptions {
  baseUrl: string;
  path: string;
  connections: number;
  durationMs: number;
  timeoutMs: number;
  /** One valid pre-signed delivery, repeated by the baseline and by the machinery run. */
  fixed: PreparedSend;
  /** Builds the signed run's source once the baseline told how many sends it may need. */
  signedSource: (expected: number) => { next: () => PreparedSend | undefined; size: number };
  signal?: AbortSignal;
}

/**
 * The harness's own overhead, measured in the same run against the same endpoint:
 * plain autocannon (static request, no per-request work) against the harness's signed
 * load (unique pre-signed events, per-request setup and tracking), both closed loop,
 * same connections, same duration. A third run sends the baseline's request through the
 * harness's machinery, which isolates the harness's cost from the connector's extra work
 * on unique events (queueing and processing them).
 */
export async function measureOverhead(o: OverheadOptions): Promise<OverheadSummary> {
  const plainRun = (seconds: number) =>
    new Promise<autocannon.Result>((resolve, reject) => {
      const inst = autocannon(
        {
          url: o.baseUrl + o.path,
          method: 'POST',
          headers: o.fixed.headers,
          body: o.fixed.body,
          connections: o.connections,
          duration: seconds,
          timeout: Math.max(1, o.timeoutMs / 1000),
          sampleInt: 50,
        } as autocannon.Options,
        (err, res) => {
          o.signal?.removeEventListener('abort', stop);
          if (err) reject(err);
          else resolve(res);
        },
      );
      const stop = () => inst.stop();
      o.signal?.addEventListener('abort', stop, { once: true });
    });
  // Warm-up, discarded: whoever runs first would otherwise pay for cold JIT on both sides.
  await plainRun(Math.max(0.2, o.durationMs / 5000));
  const plain = await plainRun(o.durationMs / 1000);
  const plainOk = plain['2xx'];
  const plainRate = plainOk / Math.max(0.001, plain.duration);

  // Size the signed pool from the baseline, with room: running dry would make sends repeat.
  const signed = o.signedSource(Math.ceil(plainOk * 1.5) + 100);
  const phase = (requests: number) => [{ label: 'closed loop', startMs: 0, durationMs: o.durationMs, requests }];
  // Machinery before signed: the signed run leaves the connector a backlog of real work.
  const machineryRun = await driveLoad({ baseUrl: o.baseUrl, path: o.path, connections: o.connections, phases: phase(LOAD_LIMITS.maxRequests), timeoutMs: o.timeoutMs, drainMs: 0, source: () => o.fixed, ...(o.signal ? { signal: o.signal } : {}) });
  const signedRun = await driveLoad({ baseUrl: o.baseUrl, path: o.path, connections: o.connections, phases: phase(signed.size), timeoutMs: o.timeoutMs, drainMs: 0, source: signed.next, ...(o.signal ? { signal: o.signal } : {}) });
  const rate = (r: Awaited<ReturnType<typeof driveLoad>>) => r.records.filter((x) => isOk(x.status)).length / Math.max(0.001, r.phases[0]!.elapsedMs / 1000);
  const signedRate = rate(signedRun);
  const machineryRate = rate(machineryRun);
  return {
    baseline: OVERHEAD_BASELINE,
    durationMs: o.durationMs,
    connections: o.connections,
    plainReqPerSec: Math.round(plainRate),
    signedReqPerSec: Math.round(signedRate),
    machineryReqPerSec: Math.round(machineryRate),
    ratio: plainRate > 0 ? Math.round((signedRate / plainRate) * 100) / 100 : 0,
    machineryRatio: plainRate > 0 ? Math.round((machineryRate / plainRate) * 100) / 100 : 0,
  };
}
