/**
 * Harness-side loopback services a scenario hands to a connector (e.g. a fault proxy on
 * 127.0.0.1:PORT) are unreachable from the internal network. This makes each reachable as
 * `harness:PORT2`: a host forwarder on the Docker bridge gateway address (only containers
 * on that bridge reach it) -> the sandbox container, which listens on the internal network
 * and forwards to it. Only the ports named in the connector's env are opened, per run.
 */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { SANDBOX_ALIASES } from './protocol.js';

const LOOPBACK = /\b(?:127\.0\.0\.1|localhost):(\d{1,5})\b/g;

export class HarnessExposer {
  private readonly forwards = new Map<number, Promise<number>>();
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();

  /** `expose(ip:port)` asks the sandbox container for a port that forwards there. */
  constructor(
    private readonly gatewayIp: string,
    private readonly expose: (target: string) => Promise<number>,
  ) {}

  /** Rewrites every `127.0.0.1:PORT` / `localhost:PORT` in the env to a reachable `harness:PORT2`. */
  async rewrite(env: Record<string, string>): Promise<Record<string, string>> {
    const ports = new Set<number>();
    for (const v of Object.values(env)) for (const m of v.matchAll(LOOPBACK)) ports.add(Number(m[1]));
    if (ports.size === 0) return env;
    const mapped = new Map<number, number>();
    for (const p of ports) mapped.set(p, await this.portFor(p));
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(env)) {
      out[k] = v.replace(LOOPBACK, (_all, p: string) => `${SANDBOX_ALIASES.harness}:${mapped.get(Number(p))}`);
      // Loopback was excluded from the proxy; the alias that replaces it must be too.
      if (/^no_proxy$/i.test(k) && /(?:^|,)\s*(?:127\.0\.0\.1|localhost)\s*(?:,|$)/.test(v)) out[k] = `${out[k]},${SANDBOX_ALIASES.harness}`;
    }
    return out;
  }

  private portFor(loopbackPort: number): Promise<number> {
    let p = this.forwards.get(loopbackPort);
    if (!p) {
      p = this.forwardFromGateway(loopbackPort).then((hostPort) => this.expose(`${this.gatewayIp}:${hostPort}`));
      this.forwards.set(loopbackPort, p);
    }
    return p;
  }

  private async forwardFromGateway(loopbackPort: number): Promise<number> {
    const server = createServer((client) => {
      this.track(client);
      const upstream = connect({ host: '127.0.0.1', port: loopbackPort });
      this.track(upstream);
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, this.gatewayIp, () => resolve());
    });
    this.servers.push(server);
    return (server.address() as AddressInfo).port;
  }

  private track(s: Socket): void {
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}
