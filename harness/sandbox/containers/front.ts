/**
 * Host-side front of a containerised connector: a loopback TCP listener whose bytes go,
 * through the sandbox container's relay, to the connector on the internal network (which
 * has no route to the host). Raw TCP keeps the delivery bytes and the connector's answer
 * exactly as sent, garbage included.
 *
 * Ordering: request bytes are held until the sandbox control queue is flushed, so every
 * HubControl/AcquirerControl call made before a delivery is in force when it arrives.
 */
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { relayPreamble } from './protocol.js';

export interface FrontOptions {
  relayHost: string;
  relayPort: number;
  token: string;
  /** `alias:port` of the connector on the internal network. */
  target: string;
  /** Resolves once queued control commands are applied; failures are reported elsewhere. */
  flush: () => Promise<void>;
  /** Whether anything is queued (skips the await on the hot path). */
  idle: () => boolean;
}

export interface Front {
  readonly port: number;
  close(): Promise<void>;
}

export async function startFront(opts: FrontOptions): Promise<Front> {
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  const server = createServer((client) => {
    track(client);
    const upstream = connect({ host: opts.relayHost, port: opts.relayPort });
    track(upstream);
    upstream.setNoDelay(true);
    client.setNoDelay(true);
    upstream.write(relayPreamble(opts.token, opts.target));
    // Sequential by construction: the client is paused while a chunk waits for the flush.
    client.on('data', (chunk: Buffer) => {
      if (opts.idle()) {
        upstream.write(chunk);
        return;
      }
      client.pause();
      void opts
        .flush()
        .catch(() => undefined)
        .then(() => {
          upstream.write(chunk);
          client.resume();
        });
    });
    client.on('end', () => upstream.end());
    upstream.pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
