import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ProxyCollection } from './collection.js';
import { badRequest, FaultProxyError } from './errors.js';

/** The Toxiproxy release whose API this mirrors; clients only display it. */
export const TOXIPROXY_API_VERSION = '2.12.0';

const MAX_BODY_BYTES = 1024 * 1024;

type Reply = { status: number; body?: unknown; text?: string };
type Handler = (collection: ProxyCollection, params: string[], body: () => Promise<unknown>) => Promise<Reply> | Reply;

const json = (body: unknown, status = 200): Reply => ({ status, body });
const noContent: Reply = { status: 204 };

/**
 * The routes, as a table: method, path pattern, handler. Status codes and bodies follow
 * Toxiproxy (201 for proxy create and populate, 204 for deletes and reset, 200 otherwise;
 * errors are `{ error, status }` with 400/404/409).
 */
const ROUTES: Array<[method: string, pattern: RegExp, handler: Handler]> = [
  ['GET', /^\/version$/, () => ({ status: 200, text: TOXIPROXY_API_VERSION })],
  ['POST', /^\/reset$/, async (c) => (await c.reset(), noContent)],
  ['GET', /^\/proxies$/, (c) => json(c.list())],
  ['POST', /^\/proxies$/, async (c, _, body) => json(await c.create(await body()), 201)],
  ['POST', /^\/populate$/, async (c, _, body) => json({ proxies: await c.populate(await body()) }, 201)],
  ['GET', /^\/proxies\/([^/]+)$/, (c, [name]) => json(c.get(name!).view())],
  ['POST', /^\/proxies\/([^/]+)$/, async (c, [name], body) => json(await c.update(name!, await body()))],
  ['DELETE', /^\/proxies\/([^/]+)$/, async (c, [name]) => (await c.remove(name!), noContent)],
  ['GET', /^\/proxies\/([^/]+)\/toxics$/, (c, [name]) => json(c.toxics(name!))],
  ['POST', /^\/proxies\/([^/]+)\/toxics$/, async (c, [name], body) => json(c.addToxic(name!, await body()))],
  ['GET', /^\/proxies\/([^/]+)\/toxics\/([^/]+)$/, (c, [p, t]) => json(c.toxic(p!, t!))],
  ['POST', /^\/proxies\/([^/]+)\/toxics\/([^/]+)$/, async (c, [p, t], body) => json(c.updateToxic(p!, t!, await body()))],
  ['DELETE', /^\/proxies\/([^/]+)\/toxics\/([^/]+)$/, (c, [p, t]) => (c.removeToxic(p!, t!), noContent)],
];

/** Serves the Toxiproxy-compatible HTTP API for `collection`. */
export function createApiServer(collection: ProxyCollection): Server {
  return createServer((req, res) => {
    void handle(collection, req, res);
  });
}

async function handle(collection: ProxyCollection, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let reply: Reply;
  try {
    reply = await route(collection, req);
  } catch (error) {
    req.resume(); // discard an unread body so keep-alive stays usable
    reply =
      error instanceof FaultProxyError
        ? json(error.toJSON(), error.status)
        : json({ error: `internal error: ${(error as Error).message}`, status: 500 }, 500);
  }
  if (reply.text !== undefined) {
    res.writeHead(reply.status, { 'content-type': 'text/plain;charset=utf-8' }).end(reply.text);
  } else if (reply.body !== undefined) {
    res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body));
  } else {
    res.writeHead(reply.status).end();
  }
}

async function route(collection: ProxyCollection, req: IncomingMessage): Promise<Reply> {
  const path = new URL(req.url ?? '/', 'http://fault-proxy').pathname;
  let pathMatched = false;
  for (const [method, pattern, handler] of ROUTES) {
    const match = pattern.exec(path);
    if (!match) continue;
    pathMatched = true;
    if (method !== req.method) continue;
    const params = match.slice(1).map(decodeSegment);
    return handler(collection, params, () => readJson(req));
  }
  return pathMatched
    ? json({ error: `method ${req.method ?? ''} not allowed`, status: 405 }, 405)
    : json({ error: 'not found', status: 404 }, 404);
}

/** A malformed %-escape is just an unknown name (404), not a server error. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.destroy();
        reject(badRequest('bad request body', [{ path: '(root)', reason: `body larger than ${MAX_BODY_BYTES} bytes` }]));
      } else chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return resolve({});
      try {
        resolve(JSON.parse(text));
      } catch (cause) {
        reject(badRequest('bad request body', [{ path: '(root)', reason: `invalid JSON: ${(cause as Error).message}` }]));
      }
    });
  });
}
