import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyntheticData } from '../../../harness/data/synthetic.js';
import { GauntletError } from '../../../harness/errors.js';
import { loadManifest } from '../../../harness/manifest/load.js';
import type { Manifest } from '../../../harness/manifest/types.js';
import { isRejected4xx } from '../../../harness/model/delivery.js';
import { checkProperty, propertyCaseId } from '../../../harness/properties/check-property.js';
import { EventFactory } from '../../../harness/properties/event-templates.js';
import { liveNowSec } from '../../../harness/properties/live-clock.js';
import { ScenarioContext, sleep } from '../../../harness/runner/context.js';
import { RunRecorder } from '../../../harness/runner/recorder.js';
import { EmbeddedSandbox } from '../../../harness/sandbox/embedded.js';
import type { StartedSandbox } from '../../../harness/sandbox/types.js';
import { bodyMutationArb } from '../../../harness/webhooks/arbitraries.js';
import { WebhookSender } from '../../../harness/webhooks/sender.js';

const ROOT = path.resolve(__dirname, '../../..');

/** A real loopback endpoint that records every body and answers 401, or 200 for bodies containing "ACCEPT". */
let server: Server;
let port = 0;
const received: string[] = [];
let manifest: Manifest;
let sandbox: StartedSandbox;
let sender: WebhookSender;

beforeAll(async () => {
  manifest = await loadManifest(path.join(ROOT, 'examples/connectors/careful/connector.yaml'));
  sandbox = await new EmbeddedSandbox(manifest).withSeed(1).start();
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('latin1');
      received.push(body);
      res.writeHead(body.includes('ACCEPT') ? 200 : 401).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  sender = new WebhookSender({ baseUrl: `http://127.0.0.1:${port}`, path: manifest.webhooks.path, timeoutMs: 5_000 });
});

afterAll(async () => {
  sender?.close();
  await new Promise((r) => server?.close(r));
  await sandbox?.stop();
});

function context(opts: { runSeed?: number; replay?: { caseId: string; path?: string } } = {}): ScenarioContext {
  const connector = { baseUrl: `http://127.0.0.1:${port}`, port, exitInfo: () => undefined, checkHealth: async () => true, stop: async () => undefined };
  return new ScenarioContext({
    manifest,
    manifestArg: 'examples/connectors/careful/connector.yaml',
    scenarioId: 'test-property',
    runSeed: opts.runSeed ?? 1,
    data: new SyntheticData(1),
    sandbox,
    sender: () => sender,
    connector: () => connector as never,
    signal: new AbortController().signal,
    recorder: new RunRecorder(Date.now()),
    now: Date.now,
    startExtraConnector: () => Promise.reject(new Error('not used')),
    senderFor: () => sender,
    settleMaxMs: 1_000,
    ...(opts.replay ? { replay: opts.replay } : {}),
  });
}

/** Body bytes changed after signing: every case must be rejected. */
function forgedSpec(ctx: ScenarioContext, budget = { numRuns: 12, timeBudgetMs: 30_000, shrinkBudgetMs: 10_000 }) {
  const events = new EventFactory(ctx, 'forged').arbitrary(['payment.captured', 'refund.requested']);
  return {
    name: 'forged',
    control: 'signature-forged-rejected',
    arbitrary: bodyMutationArb(manifest.webhooks.scheme, sandbox.secrets.webhookSecret, events, liveNowSec(Date.now)),
    predicate: async (c: { delivery: import('../../../harness/model/delivery.js').Delivery }) => {
      const o = await ctx.deliver(c.delivery);
      return isRejected4xx(o) ? undefined : { problem: `answered ${o.status}`, delivery: c.delivery, outcome: o };
    },
    budget,
  };
}

/** Bodies the endpoint sent for one property run, with the volatile parts (none expected) as they are. */
async function bodiesOf(run: () => Promise<unknown>): Promise<string[]> {
  received.length = 0;
  await run();
  return [...received];
}

describe('checkProperty against a live endpoint', () => {
  it('passes, counting its cases, when every generated case holds', async () => {
    const ctx = context();
    const out = await checkProperty(ctx, forgedSpec(ctx));
    expect(out).toHaveLength(1);
    expect(out[0]!.status).toBe('pass');
    expect(out[0]!.evidence.summary).toMatch(/12 generated case\(s\) held/);
  });

  it('generates the same bytes for the same seed, and other bytes for another seed', async () => {
    const a = await bodiesOf(() => { const ctx = context({ runSeed: 5 }); return checkProperty(ctx, forgedSpec(ctx)); });
    const b = await bodiesOf(() => { const ctx = context({ runSeed: 5 }); return checkProperty(ctx, forgedSpec(ctx)); });
    const c = await bodiesOf(() => { const ctx = context({ runSeed: 6 }); return checkProperty(ctx, forgedSpec(ctx)); });
    expect(a).toHaveLength(12);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('shrinks a failure to a minimal case and replays exactly that case by its path', async () => {
    const ctx = context({ runSeed: 9 });
    const spec = forgedSpec(ctx, { numRuns: 40, timeBudgetMs: 30_000, shrinkBudgetMs: 20_000 });
    // The flaw: any case whose flipped byte landed in the first 40 bytes is "accepted".
    const flawed = { ...spec, predicate: async (c: { delivery: import('../../../harness/model/delivery.js').Delivery; label: string }) => {
      const m = /body byte (\d+)/.exec(c.label);
      const o = await ctx.deliver(c.delivery);
      return m && Number(m[1]) < 40 ? { problem: 'accepted a tampered body', delivery: c.delivery, outcome: o } : undefined;
    } };
    const [fail] = await checkProperty(ctx, flawed as never);
    expect(fail!.status).toBe('fail');
    const cx = fail!.counterexample!;
    expect(cx.caseId).toBe(propertyCaseId('test-property', 'forged'));
    // Shrinking found the smallest byte index and mask: byte 0, XOR 0x1.
    expect(cx.label).toBe('body byte 0 XOR 0x1 after signing');
    expect(cx.path).toMatch(/^\d+(:\d+)+$/);
    expect(cx.seed).toBe(9);

    const replayCtx = context({ runSeed: 9, replay: { caseId: cx.caseId, path: cx.path! } });
    const sent = await bodiesOf(async () => {
      const [again] = await checkProperty(replayCtx, { ...flawed, predicate: async (c: { delivery: import('../../../harness/model/delivery.js').Delivery; label: string }) => {
        const o = await replayCtx.deliver(c.delivery);
        return /body byte 0 /.test(c.label) ? { problem: 'accepted a tampered body', delivery: c.delivery, outcome: o } : undefined;
      } } as never);
      expect(again!.status).toBe('fail');
      expect(again!.counterexample!.label).toBe(cx.label);
    });
    expect(sent).toHaveLength(1);
    // Same bytes except the fresh event ids: byte 0 flipped, same length as recorded.
    expect(Buffer.from(sent[0]!, 'latin1')[0]).toBe('{'.charCodeAt(0) ^ 1);
    expect(sent[0]!.length).toBe(cx.request!.bodyBytes);
  });

  it('stays silent when replaying another case of the same scenario', async () => {
    const ctx = context({ replay: { caseId: 'test-property#other', path: '0' } });
    expect(await checkProperty(ctx, forgedSpec(ctx))).toEqual([]);
  });

  it('never abandons a running case at the time budget', async () => {
    const ctx = context();
    let running = 0;
    let started = 0;
    const out = await checkProperty(ctx, {
      name: 'slow',
      control: 'signature-forged-rejected',
      arbitrary: fc.nat(),
      predicate: async () => {
        running++;
        started++;
        await sleep(60);
        running--;
        return undefined;
      },
      budget: { numRuns: 1_000, timeBudgetMs: 150, shrinkBudgetMs: 100 },
    });
    expect(running).toBe(0);
    expect(started).toBeGreaterThan(0);
    expect(started).toBeLessThan(1_000);
    expect(out[0]!.evidence.summary).toMatch(/time budget reached/);
  });

  it('event factory: every event is fresh (unique ids of the template length) and the pool is seed-stable', () => {
    const a = new EventFactory(context({ runSeed: 3 }), 'f');
    const b = new EventFactory(context({ runSeed: 3 }), 'f');
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const ev = a.event('refund.requested', i % 8);
      const obj = ev.data.object as Record<string, string>;
      for (const id of [ev.id, obj.id!, obj.payment!]) {
        expect(seen.has(id)).toBe(false);
        seen.add(id);
      }
      expect(ev.id).toMatch(/^evt_[A-Za-z0-9]{20,}$/);
      expect(obj.payment).toMatch(/^pay_[A-Za-z0-9]+$/);
      // Same template, same seed: identical apart from the fresh ids.
      const twin = b.event('refund.requested', i % 8);
      expect({ ...twin.data.object, id: 0, payment: 0 }).toEqual({ ...ev.data.object, id: 0, payment: 0 });
      expect(twin.id.length).toBe(ev.id.length);
    }
  });

  it('turns a throwing predicate into a harness fault, not a connector failure', async () => {
    const ctx = context();
    await expect(checkProperty(ctx, { name: 'broken', control: 'signature-forged-rejected', arbitrary: fc.nat(), predicate: async () => { throw new Error('bug in the scenario'); } })).rejects.toBeInstanceOf(GauntletError);
  });
});
