/**
 * Per-delivery overhead of the scenario runner against plain HTTP:
 *  - plain: `node:http` POSTs of one pre-signed delivery (exact bytes and headers) over a
 *    keep-alive socket, one after another;
 *  - runner: what a scenario does per delivery: `ctx.sign(event)` then `ctx.deliver(d)`
 *    (WebhookSender with its caps and deadline, the run recorder, the response tap), over
 *    the same kind of socket, against the same server;
 *  - deliver only: `ctx.deliver(d)` of a pre-signed delivery, to split signing from sending.
 * The server is a node:http webhook sink in a child process, so the client's event loop
 * is the only one measured. Blocks interleave so machine load drifts over both alike.
 *
 * Run alone: `node --import tsx bench/runner-overhead.ts`.
 */
import { fileURLToPath } from 'node:url';
import { benchContext, median, r2, r3, startSink, timedPost } from './lib/fixture.js';

export interface RunnerOverheadFigures {
  deliveries: number;
  /** Median per-delivery time (ms). */
  plainMs: number;
  runnerMs: number;
  deliverOnlyMs: number;
  /** runner / plain: the target is <= 1.25. */
  ratio: number;
  deliverOnlyRatio: number;
}

const BLOCK = 100;

export async function benchRunnerOverhead(opts: { deliveries?: number; budgetMs?: number } = {}): Promise<RunnerOverheadFigures> {
  const deliveries = opts.deliveries ?? 2_000;
  const deadline = Date.now() + (opts.budgetMs ?? 60_000);
  const b = await benchContext('bench-runner-overhead', 200);
  const ctx = b.ctx;
  try {
    // Events are generated ahead: a scenario builds its inputs outside the delivery path.
    const events = Array.from({ length: BLOCK }, () => ctx.event());
    const fixed = ctx.sign(events[0]!, { label: 'bench' });
    const plainOnce = () => timedPost(b.port, b.manifest.webhooks.path, fixed.headers, fixed.body, b.agent);
    const runnerOnce = async (i: number) => {
      const t = process.hrtime.bigint();
      const d = ctx.sign(events[i % BLOCK]!, { label: 'bench' });
      const o = await ctx.deliver(d, { valid: true });
      if (o.status !== 200) throw new Error(`bench sink answered ${o.status ?? o.error?.kind}`);
      return Number(process.hrtime.bigint() - t) / 1e6;
    };
    const deliverOnce = async () => {
      const t = process.hrtime.bigint();
      const o = await ctx.deliver(fixed, { valid: true });
      if (o.status !== 200) throw new Error(`bench sink answered ${o.status ?? o.error?.kind}`);
      return Number(process.hrtime.bigint() - t) / 1e6;
    };
    for (let i = 0; i < Math.min(200, deliveries); i++) {
      await plainOnce();
      await runnerOnce(i);
      await deliverOnce();
    }
    const plain: number[] = [];
    const runner: number[] = [];
    const deliverOnly: number[] = [];
    // At least one block, however short the budget: a figure from nothing is NaN.
    while (plain.length === 0 || (plain.length < deliveries && Date.now() < deadline)) {
      for (let i = 0; i < BLOCK; i++) plain.push(await plainOnce());
      for (let i = 0; i < BLOCK; i++) runner.push(await runnerOnce(i));
      for (let i = 0; i < BLOCK; i++) deliverOnly.push(await deliverOnce());
    }
    const plainMs = median(plain);
    const runnerMs = median(runner);
    const deliverOnlyMs = median(deliverOnly);
    return { deliveries: plain.length, plainMs: r3(plainMs), runnerMs: r3(runnerMs), deliverOnlyMs: r3(deliverOnlyMs), ratio: r2(runnerMs / plainMs), deliverOnlyRatio: r2(deliverOnlyMs / plainMs) };
  } finally {
    await b.close();
  }
}

/** The bench's webhook sink in its own process (reads each body, answers 200 JSON); for other benches too. */
export function startWebhookSink(): Promise<{ port: number; stop: () => void }> {
  return startSink(200);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  void benchRunnerOverhead().then((f) => console.log(f));
}
