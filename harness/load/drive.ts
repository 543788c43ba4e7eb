import autocannon from 'autocannon';
import type { PreparedSend } from './signed-pool.js';
import type { LoadPhase, SendRecord } from './types.js';

export interface DriveOptions {
  /** `http://127.0.0.1:PORT`: loopback only (the connector under test). */
  baseUrl: string;
  path: string;
  connections: number;
  phases: readonly LoadPhase[];
  /** Per-request bound (ms, ≥ 1000: autocannon counts whole seconds from 1). */
  timeoutMs: number;
  /**
   * How long a rated phase may run past its window for answers still in flight (ms).
   * Its hard stop is window + drain; a closed-loop phase stops at its window.
   */
  drainMs: number;
  /** Hands out the next prepared send, or undefined when the plan is used up. */
  source: () => PreparedSend | undefined;
  signal?: AbortSignal;
  /** Monotonic clock (ms), injectable for tests. */
  clock?: () => number;
}

export interface DrivePhaseResult {
  sent: number;
  answered: number;
  elapsedMs: number;
  /** autocannon's own counters, for cross-checking ours. */
  errors: number;
  timeouts: number;
}

export interface DriveResult {
  records: SendRecord[];
  phases: DrivePhaseResult[];
  /** From the first phase's start to the last phase's end (ms). */
  windowMs: number;
  /** Sends made after the plan was used up (a repeat of the last send); 0 unless a bound was miscomputed. */
  overrun: number;
}

interface SendContext {
  rec?: SendRecord;
}

/**
 * Drives the connector's webhook endpoint with autocannon, one instance per phase,
 * each started at its offset (a ramp's steps run back to back, and a slow step's
 * stragglers overlap the next, as real backlogs do). Every request carries its own
 * prepared body and signature through `setupRequest`; `onResponse` pairs the answer
 * with the send through autocannon's per-request context (pipelining 1), so each send
 * has its own status and latency. Bounded: each phase sends at most `requests` and is
 * stopped at its hard deadline; the signal stops everything.
 */
export async function driveLoad(opts: DriveOptions): Promise<DriveResult> {
  const clock = opts.clock ?? (() => performance.now());
  const records: SendRecord[] = [];
  let overrun = 0;
  let last: PreparedSend | undefined;
  const t0 = clock();
  const timeoutSec = Math.max(1, opts.timeoutMs / 1000);
  const instances = new Set<{ stop: () => void }>();
  const onAbort = () => {
    for (const i of instances) i.stop();
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  const runPhase = (phase: LoadPhase, index: number): Promise<DrivePhaseResult> =>
    new Promise((resolve, reject) => {
      const start = () => {
        if (opts.signal?.aborted) return resolve({ sent: 0, answered: 0, elapsedMs: 0, errors: 0, timeouts: 0 });
        const began = clock();
        let sent = 0;
        let answered = 0;
        const request = {
          method: 'POST' as const,
          path: opts.path,
          setupRequest: (req: Record<string, unknown>, context: SendContext) => {
            let p = opts.source();
            if (!p) {
              overrun++;
              p = last!;
            }
            last = p;
            const rec: SendRecord = { event: p.event, duplicate: p.duplicate, phase: index, sentAt: clock() };
            records.push(rec);
            sent++;
            context.rec = rec;
            req.method = 'POST';
            req.path = opts.path;
            // A fresh object each time: autocannon adds Content-Length to the one it gets.
            req.headers = { ...p.headers };
            req.body = p.body;
            return req;
          },
          onResponse: (status: number, _body: string, context: SendContext) => {
            const rec = context.rec;
            if (rec && rec.status === undefined) {
              rec.status = status;
              rec.latencyMs = clock() - rec.sentAt;
              answered++;
            }
          },
        };
        const connections = Math.max(1, Math.min(opts.connections, phase.requests, phase.rate ?? Number.MAX_SAFE_INTEGER));
        const instance = autocannon(
          {
            url: opts.baseUrl,
            connections,
            amount: phase.requests,
            ...(phase.rate !== undefined ? { overallRate: phase.rate } : {}),
            timeout: timeoutSec,
            // Done is noticed on the next sample tick: keep it short so phases end promptly.
            sampleInt: 50,
            requests: [request as unknown as autocannon.Request],
          } as autocannon.Options,
          (err, result) => {
            clearTimeout(hardStop);
            instances.delete(instance);
            if (err) return reject(err);
            resolve({ sent, answered, elapsedMs: clock() - began, errors: result.errors, timeouts: result.timeouts });
          },
        );
        instances.add(instance);
        const limit = phase.rate === undefined ? phase.durationMs : phase.durationMs + opts.drainMs;
        const hardStop = setTimeout(() => instance.stop(), limit);
      };
      const delay = Math.max(0, phase.startMs - (clock() - t0));
      if (delay > 0) setTimeout(start, delay);
      else start();
    });

  try {
    const phases = await Promise.all(opts.phases.map((p, i) => runPhase(p, i)));
    return { records, phases, windowMs: clock() - t0, overrun };
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    onAbort();
  }
}
