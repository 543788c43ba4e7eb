/**
 * The harness end of the egress interceptor's channel: answers "may I?" for a destination
 * with the sandbox's own allow-list, and turns each blocked attempt into an egress ledger
 * entry (status 403, `observedBy: 'interceptor'`), which the leak scan judges.
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { GauntletError } from '../errors.js';
import type { Ledger } from '../model/ledger.js';
import { findObjectIds } from '../../mocks/hub/object-ids.js';
import { MAX_LINE_BYTES, MAX_REPORTED_BODY_BYTES, parseDestination, type InterceptorMessage } from './protocol.js';

export interface EgressReportServerOptions {
  ledger: Ledger;
  /** The sandbox's allow-list (the same one the egress proxy applies). */
  allows: (host: string, port: number) => boolean;
  /** Destinations always allowed (the egress proxy itself: it judges what goes through it). */
  alsoAllow?: string[];
}

export interface EgressReportServer {
  /** `127.0.0.1:<port>`, for the preload's env. */
  readonly address: string;
  /** Allowed destinations the interceptor asked about (first sight only). */
  allowedSeen(): string[];
  close(): Promise<void>;
}

const MAX_CONNECTIONS = 64;
const MAX_PATH_CHARS = 2_048;
const CLOSE_BOUND_MS = 2_000;

export async function startEgressReportServer(opts: EgressReportServerOptions): Promise<EgressReportServer> {
  const also = new Set(opts.alsoAllow ?? []);
  const seen = new Set<string>();
  const sockets = new Set<Socket>();

  const decide = (destination: string): boolean => {
    if (also.has(destination)) return true;
    const d = parseDestination(destination);
    return d !== undefined && opts.allows(d.host, d.port);
  };

  const handle = (socket: Socket, line: string): void => {
    let msg: InterceptorMessage;
    try {
      msg = JSON.parse(line) as InterceptorMessage;
    } catch {
      return;
    }
    if (typeof msg !== 'object' || msg === null || typeof msg.destination !== 'string' || typeof msg.method !== 'string') return;
    const destination = msg.destination.slice(0, 300);
    const method = msg.method.slice(0, 16).toUpperCase();
    const path = typeof msg.path === 'string' ? msg.path.slice(0, MAX_PATH_CHARS) : '/';
    if (msg.op === 'check' && Number.isSafeInteger(msg.id)) {
      const allow = decide(destination);
      if (allow) seen.add(destination);
      socket.write(`${JSON.stringify({ id: msg.id, allow })}\n`);
    } else if (msg.op === 'blocked') {
      // Never trust the connector's word that something was blocked for an allowed destination.
      if (decide(destination)) return;
      const body = typeof msg.body === 'string' && msg.body.length > 0 ? msg.body.slice(0, MAX_REPORTED_BODY_BYTES) : undefined;
      opts.ledger.record({
        target: 'egress',
        method,
        path,
        route: undefined,
        status: 403,
        committed: false,
        objectIds: findObjectIds(path, body),
        destination,
        observedBy: 'interceptor',
        fault: undefined,
        ...(body ? { requestBody: body } : {}),
      });
    }
  };

  const server = createServer((socket) => {
    if (sockets.size >= MAX_CONNECTIONS) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.setEncoding('utf8');
    let buffer = '';
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      if (buffer.length > MAX_LINE_BYTES) {
        // A line this long is not ours: drop the connection rather than buffer it.
        socket.destroy();
        return;
      }
      let nl: number;
      while ((nl = buffer.indexOf('\n')) !== -1) {
        handle(socket, buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  });

  const address = await new Promise<string>((resolve, reject) => {
    server.once('error', (err) => reject(new GauntletError('GAUNTLET_ERR_SANDBOX_START', `egress report channel could not listen: ${err.message}`, { cause: err })));
    server.listen(0, '127.0.0.1', () => resolve(`127.0.0.1:${(server.address() as AddressInfo).port}`));
  });

  let closing: Promise<void> | undefined;
  return {
    address,
    allowedSeen: () => [...seen],
    close() {
      closing ??= (async () => {
        const done = new Promise<void>((r) => server.close(() => r()));
        for (const s of sockets) s.destroy();
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([done, new Promise<void>((r) => (timer = setTimeout(r, CLOSE_BOUND_MS)))]);
        clearTimeout(timer);
      })();
      return closing;
    },
  };
}
