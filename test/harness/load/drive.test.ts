import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { SyntheticData } from '../../../harness/data/synthetic.js';
import { driveLoad } from '../../../harness/load/drive.js';
import { phasesOf, planSends, seededRandom } from '../../../harness/load/plan.js';
import { SignedPool } from '../../../harness/load/signed-pool.js';
import { summariseRequests } from '../../../harness/load/stats.js';
import { generateRunSecrets } from '../../../harness/sandbox/secrets.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function serve(handler: (req: IncomingMessage, body: Buffer, res: ServerResponse) => void): Promise<string> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, Buffer.concat(chunks), res));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function pool(secret: string, total: number, share: number) {
  const data = new SyntheticData(3);
  const plan = planSends(total, share, 8, seededRandom(3));
  const evs = Array.from({ length: plan.events }, () => data.event('payment.captured'));
  return {
    evs,
    pool: new SignedPool({
      scheme: 'standard-webhooks',
      secret,
      toleranceSec: 300,
      sends: plan.sends,
      bodies: evs.map((e) => Buffer.from(JSON.stringify(e))),
      deliveryIds: evs.map((_, i) => `msg_drive_${i}`),
      eventTypes: evs.map((e) => e.type),
      nowSec: () => Math.floor(Date.now() / 1000),
    }),
  };
}

describe('driveLoad', () => {
  it('sends each prepared delivery once over autocannon, ramped, and pairs every answer with its send', async () => {
    const secret = generateRunSecrets('standard-webhooks').webhookSecret;
    const wh = new Webhook(secret);
    const seen: string[] = [];
    let rejected = 0;
    const baseUrl = await serve((req, body, res) => {
      try {
        const ev = wh.verify(body, req.headers as Record<string, string>) as { id: string };
        seen.push(`${req.headers['webhook-id']}:${ev.id}`);
        res.writeHead(req.headers['webhook-id'] === 'msg_drive_3' ? 503 : 200, { 'content-type': 'application/json' }).end('{}');
      } catch {
        rejected++;
        res.writeHead(401).end();
      }
    });
    const phases = phasesOf({ rate: 120, durationMs: 1_000, connections: 4, rampSteps: 2, maxRequests: 1_000, duplicateShare: 0.2, timeoutMs: 2_000 });
    const planned = phases.reduce((a, p) => a + p.requests, 0);
    const { pool: p, evs } = pool(secret, planned, 0.2);
    const r = await driveLoad({ baseUrl, path: '/webhooks', connections: 4, phases, timeoutMs: 2_000, drainMs: 2_250, source: () => p.next() });
    expect(rejected).toBe(0);
    expect(r.overrun).toBe(0);
    expect(r.records).toHaveLength(planned);
    expect(seen).toHaveLength(planned);
    expect(r.phases.map((x) => x.sent)).toEqual(phases.map((x) => x.requests));
    // Every send answered, with the status the server gave that very delivery.
    for (const rec of r.records) {
      expect(rec.latencyMs).toBeGreaterThanOrEqual(0);
      expect(rec.status).toBe(rec.event === 3 ? 503 : 200);
    }
    const sentEvents = new Set(r.records.map((x) => x.event));
    expect(sentEvents.size).toBe(evs.length);
    expect(new Set(seen).size).toBe(evs.length);
  });

  it('counts sends the connector never answers as timeouts and still ends by its hard deadline', async () => {
    const secret = generateRunSecrets('standard-webhooks').webhookSecret;
    const baseUrl = await serve((req, _body, res) => {
      if (req.headers['webhook-id'] === 'msg_drive_0') return; // never answers this one
      res.writeHead(200).end('{}');
    });
    const { pool: p } = pool(secret, 20, 0);
    const phases = [{ label: 'fixed', startMs: 0, durationMs: 500, rate: 40, requests: 20 }];
    const started = Date.now();
    const r = await driveLoad({ baseUrl, path: '/webhooks', connections: 2, phases, timeoutMs: 1_000, drainMs: 1_250, source: () => p.next() });
    const ended = performance.now();
    expect(Date.now() - started).toBeLessThan(15_000);
    const s = summariseRequests(r.records, 20, 1_000, ended, r.phases[0]!.errors - r.phases[0]!.timeouts);
    expect(s.timeouts).toBe(1);
    expect(r.records.find((x) => x.event === 0)!.status).toBeUndefined();
    expect(s.ok2xx).toBe(s.sent - 1);
  });
});
