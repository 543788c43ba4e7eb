import { createServer as createHttpServer, request, Agent, type Server as HttpServer } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';

/** A TCP echo server on loopback that tracks its sockets so tests can close everything. */
export interface Upstream {
  port: number;
  hostPort: string;
  sockets: Set<Socket>;
  close(): Promise<void>;
}

function track(server: Server | HttpServer): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return sockets;
}

async function listen(server: Server | HttpServer): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('no address');
  return address.port;
}

function closer(server: Server | HttpServer, sockets: Set<Socket>): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
}

/** Echoes every byte back; with `onSocket` a test can act on the server side of a connection. */
export async function startEchoServer(onSocket?: (socket: Socket) => void): Promise<Upstream> {
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    socket.on('error', () => {});
    // Answer a FIN with a FIN, so a closed proxy side fully closes this socket too.
    socket.on('end', () => socket.end());
    if (onSocket) return onSocket(socket);
    socket.pipe(socket);
  });
  const sockets = track(server);
  const port = await listen(server);
  return { port, hostPort: `127.0.0.1:${port}`, sockets, close: closer(server, sockets) };
}

/** A tiny HTTP server answering `ok` (or `size` bytes when `?size=` is given). */
export async function startHttpServer(): Promise<Upstream> {
  const server = createHttpServer((req, res) => {
    const size = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('size') ?? '2');
    res.end(Buffer.alloc(Math.min(size, 8 * 1024 * 1024), 'k'));
  });
  const sockets = track(server);
  const port = await listen(server);
  return { port, hostPort: `127.0.0.1:${port}`, sockets, close: closer(server, sockets) };
}

export function portOf(listen: string): number {
  return Number(listen.slice(listen.lastIndexOf(':') + 1));
}

/** A connected client socket; errors are recorded instead of thrown. */
export interface Client {
  socket: Socket;
  received: Buffer[];
  errors: Error[];
  closed: Promise<void>;
  ended: boolean;
  bytes(): Buffer;
}

export async function connectClient(port: number): Promise<Client> {
  const socket = connect({ host: '127.0.0.1', port, noDelay: true });
  const client: Client = {
    socket,
    received: [],
    errors: [],
    ended: false,
    closed: new Promise((resolve) => socket.once('close', () => resolve())),
    bytes: () => Buffer.concat(client.received),
  };
  socket.on('data', (d: Buffer) => client.received.push(d));
  socket.on('error', (e) => client.errors.push(e));
  socket.on('end', () => (client.ended = true));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return client;
}

/** Polls `predicate` every 5 ms until true or `ms` passes (bounded wait). */
export async function waitFor(predicate: () => boolean, ms = 3000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) return false;
    await sleep(5);
  }
  return true;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Sends `payload`, waits until `expected` bytes came back; returns elapsed ms. */
export async function roundTrip(client: Client, payload: Buffer, expected = payload.length, ms = 5000): Promise<number> {
  const before = client.bytes().length;
  const start = performance.now();
  client.socket.write(payload);
  const ok = await waitFor(() => client.bytes().length >= before + expected, ms);
  if (!ok) throw new Error(`no echo within ${ms} ms (got ${client.bytes().length - before} of ${expected} bytes)`);
  return performance.now() - start;
}

/** One HTTP GET over a keep-alive agent; returns status, body size and elapsed ms. */
export function httpGet(port: number, path: string, agent: Agent): Promise<{ status: number; size: number; ms: number }> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent, timeout: 10_000 }, (res) => {
      let size = 0;
      res.on('data', (d: Buffer) => (size += d.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, size, ms: performance.now() - start }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

export function destroyClient(client: Client): Promise<void> {
  client.socket.destroy();
  return client.closed;
}
