/**
 * The sandbox's egress proxy (contract clause 11): an HTTP forward proxy for
 * absolute-URI requests and CONNECT tunnels. Every attempted destination becomes
 * a ledger entry (target `egress`); only destinations the manifest's `egress`
 * list allows are connected to. A blocked destination gets 403 and is never
 * contacted, not even resolved.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, isIP, type AddressInfo, type Socket } from 'node:net';
import type { Ledger } from '../harness/model/ledger.js';
import { GauntletError } from '../harness/errors.js';
import { findObjectIds } from './hub/object-ids.js';
import { LEDGER_BODY_CAP } from './hub/request-body.js';

export interface EgressProxyOptions {
  ledger: Ledger;
  /** Manifest `egress`: sandbox names (`hub`, `acquirer`) or `host[:port]` patterns (`*.example.test`). */
  allow: string[];
  /** Sandbox names to their `host:port`, e.g. `{ hub: '127.0.0.1:41234' }`. */
  names: Record<string, string>;
  /** Upper bound on reading a blocked request's body for evidence. */
  evidenceTimeoutMs?: number;
}

export interface EgressProxy {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** True when `host:port` is allowed (exposed for tests and reports). */
  allows(host: string, port: number): boolean;
  close(): Promise<void>;
}

interface Pattern {
  host: string;
  /** undefined = any port */
  port: number | undefined;
  /** `*.example.test`: any subdomain */
  suffix: boolean;
}

const HOP_BY_HOP = new Set(['proxy-connection', 'proxy-authorization', 'connection', 'keep-alive', 'te', 'trailer', 'upgrade', 'transfer-encoding']);
const CLOSE_BOUND_MS = 2000;

export async function startEgressProxy(opts: EgressProxyOptions): Promise<EgressProxy> {
  const patterns = compilePatterns(opts.allow, opts.names);
  const allows = (host: string, port: number) => patterns.some((p) => matches(p, normaliseHost(host), port));
  const evidenceTimeoutMs = opts.evidenceTimeoutMs ?? 1000;
  const sockets = new Set<Socket>();
  let closed = false;

  const record = (method: string, path: string, destination: string, status: number | null, body?: string) =>
    opts.ledger.record({
      target: 'egress',
      method,
      path,
      route: undefined,
      status,
      committed: false,
      objectIds: findObjectIds(path, body),
      destination,
      fault: undefined,
      requestBody: body && body.length > 0 ? body : undefined,
    });

  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };

  const server = createServer((req, res) => forward(req, res));
  server.on('connection', track);
  server.on('clientError', (_e, socket: Socket) => socket.destroy());

  function forward(req: IncomingMessage, res: ServerResponse): void {
    const method = req.method ?? 'GET';
    let target: URL;
    try {
      target = new URL(req.url ?? '');
      if (target.protocol !== 'http:') throw new Error('not http');
    } catch {
      // Not an absolute http:// URI: this is not a proxy request.
      const host = req.headers.host ?? 'unknown';
      record(method, pathOnly(req.url), host, 400);
      deny(res, 400, 'The egress proxy only forwards absolute http:// URIs and CONNECT.');
      return;
    }
    const host = target.hostname.replace(/^\[|\]$/g, '');
    const port = target.port ? Number(target.port) : 80;
    const destination = `${host}:${port}`;
    const path = target.pathname + target.search;

    if (!allows(host, port)) {
      void readCapped(req, evidenceTimeoutMs).then((body) => {
        record(method, target.pathname, destination, 403, body);
        deny(res, 403, `Egress to ${destination} is not in the manifest's egress list.`);
      });
      return;
    }

    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
    const chunks: Buffer[] = [];
    let captured = 0;
    req.on('data', (c: Buffer) => {
      if (captured < LEDGER_BODY_CAP) {
        chunks.push(c.subarray(0, LEDGER_BODY_CAP - captured));
        captured += Math.min(c.length, LEDGER_BODY_CAP - captured);
      }
    });
    const upstream = httpRequest({ host, port, method, path, headers, agent: false });
    let recorded = false;
    const recordOnce = (status: number | null) => {
      if (recorded) return;
      recorded = true;
      record(method, target.pathname, destination, status, Buffer.concat(chunks).toString('utf8'));
    };
    upstream.on('response', (up) => {
      recordOnce(up.statusCode ?? null);
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
      res.writeHead(up.statusCode ?? 502, out);
      up.pipe(res);
      up.on('error', () => res.destroy());
      up.on('aborted', () => res.destroy());
    });
    upstream.on('error', () => {
      recordOnce(null);
      // The upstream reset or vanished: pass the failure on as a reset, like a real network.
      if (res.headersSent) res.destroy();
      else res.socket?.destroy();
    });
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }

  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    track(client);
    const authority = req.url ?? '';
    const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(authority);
    if (!m) {
      record('CONNECT', authority, authority, 400);
      client.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const host = m[1] as string;
    const port = Number(m[2]);
    const destination = `${host}:${port}`;
    if (!allows(host, port)) {
      record('CONNECT', authority, destination, 403);
      const text = `Egress to ${destination} is not in the manifest's egress list.`;
      client.end(`HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
      return;
    }
    const upstream = connect({ host, port });
    track(upstream);
    let established = false;
    upstream.once('connect', () => {
      established = true;
      record('CONNECT', authority, destination, 200);
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => {
      if (!established) {
        record('CONNECT', authority, destination, 502);
        client.end('HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      } else client.destroy();
    });
    client.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });

  const url = await new Promise<string>((resolve, reject) => {
    server.once('error', (err) => reject(new GauntletError('GAUNTLET_ERR_SANDBOX_START', `egress proxy could not listen: ${err.message}`, { cause: err })));
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });

  return {
    url,
    allows,
    async close() {
      if (closed) return;
      closed = true;
      const done = new Promise<void>((r) => server.close(() => r()));
      for (const s of sockets) s.destroy();
      server.closeAllConnections?.();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([done, new Promise<void>((r) => (timer = setTimeout(r, CLOSE_BOUND_MS)))]);
      clearTimeout(timer);
    },
  };
}

function compilePatterns(allow: string[], names: Record<string, string>): Pattern[] {
  const out: Pattern[] = [];
  for (const raw of allow) {
    const entry = names[raw] ?? raw;
    const m = /^(\*\.)?(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/.exec(entry.trim().toLowerCase());
    if (!m || !m[2]) {
      throw new GauntletError('GAUNTLET_ERR_MANIFEST_INVALID', `egress entry ${JSON.stringify(raw)} is not a sandbox name or host[:port]`, {
        problems: [{ path: 'egress', reason: `${JSON.stringify(raw)} is not a sandbox name or host[:port]` }],
      });
    }
    const port = m[3] === undefined ? undefined : Number(m[3]);
    const host = normaliseHost(m[2].replace(/^\[|\]$/g, ''));
    out.push({ host, port, suffix: m[1] !== undefined });
    // The sandbox's own services are reachable as localhost too.
    if (names[raw] !== undefined && host === '127.0.0.1') out.push({ host: 'localhost', port, suffix: false });
  }
  return out;
}

function normaliseHost(host: string): string {
  const h = host.toLowerCase().replace(/\.$/, '');
  return h === '::1' || h === '[::1]' ? '::1' : h;
}

function matches(p: Pattern, host: string, port: number): boolean {
  if (p.port !== undefined && p.port !== port) return false;
  if (p.suffix) return host.endsWith(`.${p.host}`) && isIP(host) === 0;
  return host === p.host;
}

function pathOnly(url: string | undefined): string {
  const u = url ?? '/';
  const q = u.indexOf('?');
  return q === -1 ? u : u.slice(0, q);
}

function deny(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(message), connection: 'close' });
  res.end(message);
}

/** Up to LEDGER_BODY_CAP bytes of a request body, within `timeoutMs`, as evidence. */
function readCapped(req: IncomingMessage, timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = () => {
      clearTimeout(timer);
      req.removeAllListeners('data');
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const timer = setTimeout(finish, timeoutMs);
    req.on('data', (c: Buffer) => {
      if (size < LEDGER_BODY_CAP) chunks.push(c.subarray(0, LEDGER_BODY_CAP - size));
      size += c.length;
      if (size >= LEDGER_BODY_CAP) finish();
    });
    req.on('end', finish);
    req.on('error', finish);
  });
}
