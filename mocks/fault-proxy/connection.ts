import { connect, type Socket } from 'node:net';
import type { HostPort } from './address.js';
import { Link, type ActiveStage } from './link.js';

export type Stream = 'upstream' | 'downstream';

/**
 * One client connection and its upstream socket, joined by two links:
 * upstream (client → server) and downstream (server → client).
 * Half-closes are forwarded; an abort on either side aborts both.
 */
export class Connection {
  readonly upstreamSocket: Socket;
  private readonly links: Record<Stream, Link>;
  private finished = false;

  constructor(
    readonly client: Socket,
    target: HostPort,
    now: () => number,
    private readonly onClosed: (connection: Connection) => void,
  ) {
    this.upstreamSocket = connect({ host: target.host, port: target.port, allowHalfOpen: true, noDelay: true });
    const fail = (): void => this.destroy();
    this.links = {
      upstream: new Link(client, this.upstreamSocket, now, fail),
      downstream: new Link(this.upstreamSocket, client, now, fail),
    };
    for (const [socket, link] of [
      [client, this.links.upstream],
      [this.upstreamSocket, this.links.downstream],
    ] as const) {
      // Errors (refused upstream, RST from a peer) abort the whole connection.
      socket.on('error', fail);
      socket.on('close', () => {
        // A socket that closed without sending FIN was aborted: take the other side down too.
        if (!link.ended) this.destroy();
        this.settle();
      });
    }
  }

  start(stages: Record<Stream, ActiveStage[]>): void {
    this.links.upstream.start(stages.upstream);
    this.links.downstream.start(stages.downstream);
  }

  link(stream: Stream): Link {
    return this.links[stream];
  }

  /** Graceful close of both sides: what is written is flushed, then FIN and close. */
  close(): void {
    this.stopLinks();
    this.client.destroySoon();
    this.upstreamSocket.destroySoon();
  }

  /** Aborts both sides with a TCP RST (ECONNRESET for the peers). */
  reset(): void {
    this.stopLinks();
    for (const socket of [this.client, this.upstreamSocket]) {
      try {
        socket.resetAndDestroy();
      } catch {
        socket.destroy(); // not a TCP handle yet (still connecting): plain close is the best we can do
      }
    }
  }

  destroy(): void {
    this.stopLinks();
    this.client.destroy();
    this.upstreamSocket.destroy();
  }

  private stopLinks(): void {
    this.links.upstream.close();
    this.links.downstream.close();
  }

  private settle(): void {
    if (this.finished || !this.client.destroyed || !this.upstreamSocket.destroyed) return;
    this.finished = true;
    this.stopLinks();
    this.onClosed(this);
  }
}
