import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { GauntletError } from '../../../harness/errors.js';
import { buildDelivery } from '../../../harness/webhooks/deliveries.js';
import { WebhookSender } from '../../../harness/webhooks/sender.js';

const KIB = 1024;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A loopback server; every socket it ever saw is destroyed at cleanup. */
async function listen(server: net.Server): Promise<{ url: string; port: number; connections: () => number }> {
  const sockets = new Set<net.Socket>();
  let count = 0;
  server.on('connection', (s) => {
    count++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, port, connections: () => count };
}

function rawServer(onSocket: (s: net.Socket) => void) {
  return listen(net.createServer((s) => {
    s.on('error', () => {});
    // Wait for the request head so the client is mid-exchange when we misbehave.
    s.once('data', () => onSocket(s));
  }));
}

/** Writes `chunk` every `everyMs` until the socket closes (bounded: 15 s). */
function drip(s: net.Socket, chunk: string, everyMs: number): void {
  const stopAt = Date.now() + 15_000;
  const t = setInterval(() => {
    if (s.destroyed || Date.now() > stopAt) return clearInterval(t);
    s.write(chunk);
  }, everyMs);
  s.on('close', () => clearInterval(t));
}

function sender(url: string, extra: Partial<ConstructorParameters<typeof WebhookSender>[0]> = {}): WebhookSender {
  const s = new WebhookSender({ baseUrl: url, path: '/webhooks', timeoutMs: 2000, ...extra });
  cleanups.push(() => s.close());
  return s;
}

const delivery = buildDelivery({ scheme: 'stripe', secret: 'whsec_dGVzdHRlc3R0ZXN0dGVzdHRlc3R0ZXN0', body: { id: 'evt_1', type: 'payment.captured', note: 'é' }, label: 'valid' });

describe('WebhookSender against a well-behaved server', () => {
  it('POSTs the exact bytes and headers and returns status, headers and body', async () => {
    const seen: Array<{ method?: string; url?: string; headers: http.IncomingHttpHeaders; body: Buffer }> = [];
    const srv = await listen(
      http.createServer((req, res) => {
        const parts: Buffer[] = [];
        req.on('data', (c: Buffer) => parts.push(c));
        req.on('end', () => {
          seen.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(parts) });
          res.writeHead(200, { 'content-type': 'text/plain', 'x-seen': 'yes' }).end('ok <b>');
        });
      }),
    );
    const out = await sender(srv.url).send(delivery);
    expect(out).toMatchObject({ status: 200, body: 'ok <b>', bodyTruncated: false });
    expect(out.error).toBeUndefined();
    expect(out.headers['x-seen']).toBe('yes');
    expect(out.durationMs).toBeGreaterThan(0);
    expect(seen[0]!.method).toBe('POST');
    expect(seen[0]!.url).toBe('/webhooks');
    expect(seen[0]!.body.equals(delivery.body)).toBe(true);
    expect(seen[0]!.headers['stripe-signature']).toBe(delivery.headers['Stripe-Signature']);
    expect(seen[0]!.headers['content-type']).toBe('application/json');
    expect(Number(seen[0]!.headers['content-length'])).toBe(delivery.body.length);
  });

  it('reuses a bounded pool of keep-alive sockets', async () => {
    const srv = await listen(http.createServer((req, res) => req.resume().on('end', () => res.end('ok'))));
    const s = sender(srv.url, { maxSockets: 3 });
    for (let i = 0; i < 10; i++) expect((await s.send(delivery)).status).toBe(200);
    expect(srv.connections()).toBe(1);
    const all = await Promise.all(Array.from({ length: 40 }, () => s.send(delivery)));
    expect(all.every((o) => o.status === 200)).toBe(true);
    expect(srv.connections()).toBeLessThanOrEqual(3);
  });

  it('survives the server closing idle keep-alive sockets', async () => {
    const server = http.createServer((req, res) => req.resume().on('end', () => res.end('ok')));
    server.keepAliveTimeout = 30;
    const srv = await listen(server);
    const s = sender(srv.url);
    for (let i = 0; i < 4; i++) {
      expect((await s.send(delivery)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 60));
    }
  });

  it('retries once on a fresh socket when a pooled socket dies before any answer, never twice', async () => {
    const perSocket = new WeakMap<object, number>();
    let requests = 0;
    const srv = await listen(
      http.createServer((req, res) => {
        requests++;
        const n = (perSocket.get(req.socket) ?? 0) + 1;
        perSocket.set(req.socket, n);
        // The second request on any connection is dropped unanswered: a keep-alive close race.
        if (n === 2) return req.socket.destroy();
        req.resume().on('end', () => res.end('ok'));
      }),
    );
    const s = sender(srv.url);
    expect((await s.send(delivery)).status).toBe(200);
    const second = await s.send(delivery);
    expect(second.status).toBe(200);
    expect(srv.connections()).toBe(2);
    expect(requests).toBe(3);

    let later = 0;
    const dead = await listen(
      http.createServer((req, res) => {
        if (++later > 1) return req.socket.destroy();
        req.resume().on('end', () => res.end('ok'));
      }),
    );
    const s2 = sender(dead.url);
    expect((await s2.send(delivery)).status).toBe(200);
    expect((await s2.send(delivery)).error?.kind).toBe('connection-reset');
    expect(later).toBe(3); // first, the reused-socket attempt, one retry: no more
  });

  it('sendRaw sends arbitrary bytes and headers verbatim (invalid UTF-8, wrong content type)', async () => {
    let got: { headers: http.IncomingHttpHeaders; body: Buffer } | undefined;
    const srv = await listen(
      http.createServer((req, res) => {
        const parts: Buffer[] = [];
        req.on('data', (c: Buffer) => parts.push(c)).on('end', () => {
          got = { headers: req.headers, body: Buffer.concat(parts) };
          res.writeHead(415).end();
        });
      }),
    );
    const out = await sender(srv.url).sendRaw({ body: Buffer.from([0xc3, 0x28]), headers: { 'content-type': 'text/plain' } });
    expect(out.status).toBe(415);
    expect(got!.body.equals(Buffer.from([0xc3, 0x28]))).toBe(true);
    expect(got!.headers['content-type']).toBe('text/plain');
  });
});

describe('WebhookSender against a misbehaving connector never throws', () => {
  it('never answers: timeout at the deadline', async () => {
    const srv = await listen(http.createServer(() => {}));
    const out = await sender(srv.url).send(delivery, { timeoutMs: 300 });
    expect(out.status).toBeNull();
    expect(out.error?.kind).toBe('timeout');
    expect(out.durationMs).toBeGreaterThanOrEqual(290);
    expect(out.durationMs).toBeLessThan(5000);
  });

  it('slow headers (one byte at a time, forever): timeout', async () => {
    const srv = await rawServer((s) => {
      s.write('HTTP/1.1 200 OK\r\nX-Slow: ');
      drip(s, 'a', 20);
    });
    const out = await sender(srv.url).send(delivery, { timeoutMs: 300 });
    expect(out.error?.kind).toBe('timeout');
    expect(out.status).toBeNull();
    expect(out.durationMs).toBeLessThan(5000);
  });

  it('endless slow body: ended at the deadline, status kept, body so far returned', async () => {
    const srv = await listen(
      http.createServer((req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        const t = setInterval(() => (res.destroyed ? clearInterval(t) : res.write('tick ')), 20);
        res.on('close', () => clearInterval(t));
      }),
    );
    const out = await sender(srv.url).send(delivery, { timeoutMs: 400 });
    expect(out.error?.kind).toBe('timeout');
    expect(out.error?.message).toContain('status 200');
    expect(out.status).toBe(200);
    expect(out.body.startsWith('tick ')).toBe(true);
    expect(out.durationMs).toBeLessThan(5000);
  });

  it('endless fast body: stopped at the cap', async () => {
    const srv = await rawServer((s) => {
      s.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n');
      const chunk = `4000\r\n${'x'.repeat(0x4000)}\r\n`;
      const stopAt = Date.now() + 15_000;
      const pump = (): void => {
        while (!s.destroyed && Date.now() < stopAt) if (!s.write(chunk)) return void s.once('drain', pump);
      };
      pump();
    });
    const out = await sender(srv.url, { maxResponseBytes: 32 * KIB }).send(delivery, { timeoutMs: 5000 });
    expect(out.error?.kind).toBe('response-too-large');
    expect(out.status).toBe(200);
    expect(out.bodyTruncated).toBe(true);
    expect(out.body.length).toBe(32 * KIB);
  });

  it('1 MB body: truncated at the default 64 KiB cap', async () => {
    const big = Buffer.alloc(1024 * KIB, 'y');
    const srv = await listen(http.createServer((req, res) => req.resume().on('end', () => res.writeHead(400).end(big))));
    const out = await sender(srv.url).send(delivery);
    expect(out).toMatchObject({ status: 400, bodyTruncated: true });
    expect(out.error?.kind).toBe('response-too-large');
    expect(out.body.length).toBe(64 * KIB);
  });

  it('giant headers: headers-too-large', async () => {
    const srv = await rawServer((s) => s.end(`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(100 * KIB)}\r\nContent-Length: 0\r\n\r\n`));
    const out = await sender(srv.url).send(delivery);
    expect(out.error?.kind).toBe('headers-too-large');
    expect(out.status).toBeNull();
  });

  it('non-HTTP bytes: protocol-error', async () => {
    const srv = await rawServer((s) => s.end('SSH-2.0-OpenSSH_9.6\r\n\u0000\u0001garbage\r\n\r\n'));
    const out = await sender(srv.url).send(delivery);
    expect(out.error?.kind).toBe('protocol-error');
    expect(out.status).toBeNull();
  });

  it('connection refused', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((r) => probe.close(() => r()));
    const out = await sender(`http://127.0.0.1:${port}`).send(delivery);
    expect(out.error?.kind).toBe('connection-refused');
    expect(out.status).toBeNull();
  });

  it('closed without an answer: connection-reset', async () => {
    const srv = await rawServer((s) => s.destroy());
    const out = await sender(srv.url).send(delivery);
    expect(out.error?.kind).toBe('connection-reset');
    expect(srv.connections()).toBe(1); // a fresh socket is never retried
  });

  it('reset mid-response: connection-reset, with the status that did arrive', async () => {
    const srv = await rawServer((s) => {
      s.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\npartial');
      setTimeout(() => s.resetAndDestroy(), 30);
    });
    const out = await sender(srv.url).send(delivery);
    expect(out.error?.kind).toBe('connection-reset');
    expect(out.status).toBe(200);
  });

  it('aborted by the run signal', async () => {
    const srv = await listen(http.createServer(() => {}));
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const out = await sender(srv.url).send(delivery, { signal: ac.signal, timeoutMs: 5000 });
    expect(out.error?.kind).toBe('aborted');
    const pre = await sender(srv.url).send(delivery, { signal: AbortSignal.abort() });
    expect(pre.error?.kind).toBe('aborted');
  });

  it('many concurrent sends share one run signal without listener-leak warnings, and all abort', async () => {
    const srv = await listen(http.createServer(() => {}));
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    cleanups.push(() => void process.off('warning', onWarning));
    const ac = new AbortController();
    const s = sender(srv.url, { maxSockets: 40 });
    const pending = Array.from({ length: 30 }, () => s.send(delivery, { signal: ac.signal, timeoutMs: 5000 }));
    setTimeout(() => ac.abort(), 100);
    const outs = await Promise.all(pending);
    expect(outs.map((o) => o.error?.kind)).toEqual(Array(30).fill('aborted'));
    await new Promise((r) => setImmediate(r));
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });

  it('headers node refuses to send come back as an outcome, not a throw', async () => {
    const srv = await listen(http.createServer((req, res) => res.end()));
    const out = await sender(srv.url).sendRaw({ body: '{}', headers: { 'x-bad': 'a\r\nb' } });
    expect(out.status).toBeNull();
    expect(out.error?.kind).toBe('other');
  });

  it('memory stays flat across many oversized answers', async () => {
    const big = Buffer.alloc(2 * 1024 * KIB, 'z');
    const srv = await listen(http.createServer((req, res) => req.resume().on('end', () => res.end(big))));
    const s = sender(srv.url);
    const before = process.memoryUsage();
    for (let i = 0; i < 40; i++) {
      const out = await s.send(delivery);
      expect(out.body.length).toBe(64 * KIB);
    }
    const after = process.memoryUsage();
    // 40 × 2 MiB would be 80 MiB if bodies were buffered whole; the cap keeps retention near 40 × 64 KiB.
    expect(after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers)).toBeLessThan(48 * 1024 * KIB);
  });

  it('bad construction input is a coded error', () => {
    expect(() => new WebhookSender({ baseUrl: 'nope', path: '/w', timeoutMs: 1 })).toThrow(GauntletError);
    expect(() => new WebhookSender({ baseUrl: 'https://x', path: '/w', timeoutMs: 1 })).toThrow(GauntletError);
    expect(() => new WebhookSender({ baseUrl: 'http://x', path: '/w', timeoutMs: 0 })).toThrow(GauntletError);
  });
});
