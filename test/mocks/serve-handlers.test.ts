import { request as httpRequest } from 'node:http';
import { delay, http, HttpResponse } from 'msw';
import { afterEach, describe, expect, it } from 'vitest';
import { serveHandlers, TextBodyResponse, type ServedHandlers } from '../../mocks/serve-handlers.js';

const open: ServedHandlers[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function serve(handlers: Parameters<typeof serveHandlers>[0], extra: Partial<Parameters<typeof serveHandlers>[1]> = {}) {
  const unhandled: string[] = [];
  const s = await serveHandlers(handlers, {
    maxBodyBytes: 1024,
    onUnhandled: (req, info) => void unhandled.push(`${info.method} ${info.path} ${req.method}`),
    ...extra,
  });
  open.push(s);
  return { s, unhandled };
}

describe('serveHandlers', () => {
  it('routes by method and path params, and gives the resolver headers, body and query', async () => {
    const { s } = await serve([
      http.get('/v1/items/:id', ({ params, request }) =>
        HttpResponse.json({ id: params['id'], q: new URL(request.url).searchParams.get('q'), h: request.headers.get('x-test') }),
      ),
      http.post('/v1/items/:id/notes', async ({ params, request }) => HttpResponse.json({ id: params['id'], got: await request.json() }, { status: 201 })),
    ]);
    const a = await fetch(`${s.url}/v1/items/pay_1?q=x`, { headers: { 'x-test': 'yes' } });
    expect(a.status).toBe(200);
    expect(a.headers.get('content-type')).toBe('application/json');
    expect(await a.json()).toEqual({ id: 'pay_1', q: 'x', h: 'yes' });
    const b = await fetch(`${s.url}/v1/items/a%20b/notes`, { method: 'POST', body: JSON.stringify({ n: 1 }) });
    expect(b.status).toBe(201);
    expect(await b.json()).toEqual({ id: 'a b', got: { n: 1 } });
  });

  it('gives resolvers Headers that behave like real ones (get, has, iteration, instanceof)', async () => {
    const { s } = await serve([
      http.get('/h', ({ request }) =>
        HttpResponse.json({
          get: request.headers.get('X-Multi'),
          has: request.headers.has('x-missing'),
          isHeaders: request.headers instanceof Headers,
          entries: xHeaders(request.headers),
        }),
      ),
      http.get('/form', async ({ request }) => HttpResponse.json({ ua: request.clone().headers.get('x-multi') })),
    ]);
    const res = await fetch(`${s.url}/h`, { headers: [['x-multi', 'a'], ['x-multi', 'b'], ['x-one', '1']] });
    expect(await res.json()).toEqual({ get: 'a, b', has: false, isHeaders: true, entries: { 'x-multi': 'a, b', 'x-one': '1' } });
    expect(await (await fetch(`${s.url}/form`, { headers: { 'x-multi': 'z' } })).json()).toEqual({ ua: 'z' });
  });

  it('answers an unhandled request with 500 naming method and path, and reports it', async () => {
    const { s, unhandled } = await serve([http.get('/v1/health', () => HttpResponse.text('ok'))]);
    const res = await fetch(`${s.url}/v1/nope`, { method: 'DELETE' });
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: string; message: string };
    expect(body.error).toBe('unhandled_request');
    expect(body.message).toContain('DELETE /v1/nope');
    expect(unhandled).toEqual(['DELETE /v1/nope DELETE']);
    // Wrong method on a known path is unhandled too, not a silent 404.
    expect((await fetch(`${s.url}/v1/health`, { method: 'POST' })).status).toBe(500);
  });

  it('lets use() handlers take priority (latest first) until resetHandlers()', async () => {
    const { s } = await serve([http.get('/x', () => HttpResponse.text('base'))]);
    s.use(http.get('/x', () => HttpResponse.text('first')));
    s.use(http.get('/x', () => HttpResponse.text('second')));
    expect(await (await fetch(`${s.url}/x`)).text()).toBe('second');
    s.resetHandlers();
    expect(await (await fetch(`${s.url}/x`)).text()).toBe('base');
  });

  it('honours one-shot handlers and falls through when a resolver returns nothing', async () => {
    const { s } = await serve([http.get('/x', () => undefined), http.get('/x', () => HttpResponse.text('base'))]);
    s.use(http.get('/x', () => HttpResponse.text('once'), { once: true }));
    expect(await (await fetch(`${s.url}/x`)).text()).toBe('once');
    expect(await (await fetch(`${s.url}/x`)).text()).toBe('base');
  });

  it('supports delay() in resolvers, thrown Responses and a RegExp path (slow path)', async () => {
    const { s } = await serve([
      http.get('/slow', async () => {
        await delay(30);
        return HttpResponse.text('late');
      }),
      http.get('/thrown', () => {
        throw HttpResponse.text('thrown', { status: 418 });
      }),
      http.get(/\/re\/\d+$/, () => HttpResponse.text('regex')),
    ]);
    expect(await (await fetch(`${s.url}/slow`)).text()).toBe('late');
    const t = await fetch(`${s.url}/thrown`);
    expect([t.status, await t.text()]).toEqual([418, 'thrown']);
    expect(await (await fetch(`${s.url}/re/42`)).text()).toBe('regex');
  });

  it('answers 500 with the handler name when a resolver throws', async () => {
    const { s } = await serve([
      http.get('/boom', () => {
        throw new Error('kaput');
      }),
    ]);
    const res = await fetch(`${s.url}/boom`);
    expect(res.status).toBe(500);
    expect(await res.text()).toContain('kaput');
  });

  it('resets the connection for HttpResponse.error()', async () => {
    const { s } = await serve([http.get('/reset', () => HttpResponse.error())]);
    const err = await rawGet(`${s.url}/reset`).catch((e: NodeJS.ErrnoException) => e);
    expect(err).toBeInstanceOf(Error);
    expect(['ECONNRESET', 'socket hang up']).toContain((err as NodeJS.ErrnoException).code ?? (err as Error).message);
  });

  it('rejects bodies over maxBodyBytes with 413, declared or chunked', async () => {
    const seen: number[] = [];
    const { s } = await serve([
      http.post('/in', async ({ request }) => {
        seen.push((await request.text()).length);
        return HttpResponse.text('ok');
      }),
    ]);
    expect((await fetch(`${s.url}/in`, { method: 'POST', body: 'x'.repeat(1024) })).status).toBe(200);
    expect((await fetch(`${s.url}/in`, { method: 'POST', body: 'x'.repeat(1025) })).status).toBe(413);
    const chunked = new ReadableStream({
      start(c) {
        for (let i = 0; i < 4; i++) c.enqueue(new TextEncoder().encode('y'.repeat(400)));
        c.close();
      },
    });
    const res = await fetch(`${s.url}/in`, { method: 'POST', body: chunked, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
    expect(seen).toEqual([1024]);
  });

  it('keeps connections alive between requests', async () => {
    const { s } = await serve([http.get('/x', () => HttpResponse.text('ok'))]);
    const res = await rawGet(`${s.url}/x`, { connection: 'keep-alive' });
    expect(res.headers['connection']).toBe('keep-alive');
  });

  it('close() returns promptly with a resolver that never settles, and the client sees the connection drop', async () => {
    const { s } = await serve([http.get('/hang', async () => {
        await delay('infinite');
        return HttpResponse.text('never');
      })]);
    const pending = fetch(`${s.url}/hang`).then(
      () => 'answered',
      () => 'dropped',
    );
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    await s.close();
    expect(Date.now() - t0).toBeLessThan(2500);
    expect(await pending).toBe('dropped');
    await s.close(); // idempotent
  });
});

describe('TextBodyResponse', () => {
  it('reads like any Response: text/json/arrayBuffer once, clone, a body stream, and served with Content-Length', async () => {
    const r = new TextBodyResponse('{"é":1}', { status: 201, headers: { 'Content-Type': 'application/json' } });
    expect(r).toBeInstanceOf(Response);
    expect(r.status).toBe(201);
    const copy = r.clone();
    expect(await r.json()).toEqual({ é: 1 });
    expect(r.bodyUsed).toBe(true);
    await expect(r.text()).rejects.toThrow(TypeError);
    expect(new TextDecoder().decode(await copy.clone().arrayBuffer())).toBe('{"é":1}');
    expect(await new Response(copy.body).text()).toBe('{"é":1}');

    const { s } = await serve([http.get('/t', () => new TextBodyResponse('héllo', { headers: { 'x-a': '1' } }))]);
    const res = await rawGet(`${s.url}/t`);
    expect(res).toMatchObject({ status: 200, body: 'héllo' });
    expect(res.headers['content-length']).toBe('6');
    expect(res.headers['x-a']).toBe('1');
  });
});

function xHeaders(h: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  h.forEach((v, k) => {
    if (k.startsWith('x-')) out[k] = v;
  });
  return out;
}

function rawGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
