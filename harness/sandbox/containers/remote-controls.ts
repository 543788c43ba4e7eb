/**
 * Host side of the sandbox services container: a client for its control API, a mirror
 * that turns its event stream into the run's Ledger (numbered and attributed here, where
 * the sent events are known), and HubControl / AcquirerControl over both.
 *
 * The control seams are synchronous, the container is not: setters are queued in order
 * and `flush()` resolves once every queued command was applied. The webhook front
 * (`front.ts`) flushes before forwarding request bytes, so a fault injected or a token
 * revoked before a delivery is in force when that delivery arrives.
 */
import http from 'node:http';
import { GauntletError } from '../../errors.js';
import type { Ledger, LedgerEntry } from '../../model/ledger.js';
import { validateFaultSpec } from '../../../mocks/faults.js';
import type { AcquirerControl, FaultRule, HubControl } from '../types.js';
import { CONTROL_TOKEN_HEADER, type ControlCommand, type SandboxConfig, type SandboxEvent } from './protocol.js';

const REQUEST_TIMEOUT_MS = 10_000;
const MAX_LINE_BYTES = 4 * 1024 * 1024;

type Movement = ReturnType<AcquirerControl['movements']>[number];

export class ControlClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async request(method: 'GET' | 'POST', path: string, body?: unknown, timeoutMs = REQUEST_TIMEOUT_MS): Promise<unknown> {
    const res = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: { [CONTROL_TOKEN_HEADER]: this.token, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    if (!res.ok) throw new GauntletError('GAUNTLET_ERR_SANDBOX_START', `sandbox control ${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  }

  configure(config: SandboxConfig): Promise<unknown> {
    return this.request('POST', '/configure', config, 30_000);
  }

  /** Opens the NDJSON event stream; `onEvent` runs for each line, in order. */
  subscribe(onEvent: (ev: SandboxEvent) => void, onClose: (err?: Error) => void): () => void {
    const url = new URL('/events', this.baseUrl);
    const req = http.get(url, { headers: { [CONTROL_TOKEN_HEADER]: this.token }, agent: false }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        onClose(new Error(`event stream answered ${res.statusCode}`));
        return;
      }
      let pending = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        pending += chunk;
        let nl: number;
        while ((nl = pending.indexOf('\n')) !== -1) {
          const line = pending.slice(0, nl);
          pending = pending.slice(nl + 1);
          if (line) onEvent(JSON.parse(line) as SandboxEvent);
        }
        if (pending.length > MAX_LINE_BYTES) res.destroy(new Error('event line over cap'));
      });
      res.on('end', () => onClose());
      res.on('error', (err) => onClose(err));
    });
    req.on('error', (err) => onClose(err));
    return () => req.destroy();
  }
}

/** Mirrors the container's ledger and state on the host. */
export class RemoteState {
  private readonly tokens: string[] = [];
  private scopes: string[] = [];
  private readonly moves: Movement[] = [];
  private received = 0;
  private waiters: Array<{ seq: number; resolve: () => void }> = [];
  private closed = false;
  private unsubscribe: (() => void) | undefined;
  /** Container entry number -> host entry, for later updates (bounded). */
  private readonly byNumber = new Map<number, LedgerEntry>();

  /**
   * `lag` is read by the host ledger's clock while an entry is recorded: the entry's time
   * is the host clock minus how long the entry spent on the stream (same machine clock),
   * so a busy host does not make the connector look slow.
   */
  constructor(
    private readonly client: ControlClient,
    private readonly ledger: Ledger,
    private readonly lag: { ms: number } = { ms: 0 },
  ) {}

  start(): void {
    this.unsubscribe = this.client.subscribe(
      (ev) => this.apply(ev),
      () => {
        this.closed = true;
        this.release();
      },
    );
  }

  private apply(ev: SandboxEvent): void {
    switch (ev.k) {
      case 'entry': {
        this.lag.ms = Math.min(60_000, Math.max(0, Date.now() - ev.t));
        const entry = this.ledger.record(ev.e);
        this.lag.ms = 0;
        this.byNumber.set(ev.n, entry);
        if (this.byNumber.size > 50_000) this.byNumber.delete(this.byNumber.keys().next().value!);
        this.received = ev.n;
        this.release();
        break;
      }
      case 'update': {
        const entry = this.byNumber.get(ev.n);
        if (entry && !['seq', 'at', 'causedBy', 'scenarioId'].includes(ev.f)) (entry as unknown as Record<string, unknown>)[ev.f] = ev.v;
        break;
      }
      case 'tokens':
        this.tokens.push(...ev.v);
        break;
      case 'scopes':
        this.scopes = ev.v;
        break;
      case 'movements':
        this.moves.push(...ev.v);
        break;
      case 'ready':
        break;
    }
  }

  private release(): void {
    const ready = this.waiters.filter((w) => this.closed || this.received >= w.seq);
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }

  /** Waits (bounded) until every entry the container recorded so far is in the host ledger. */
  async sync(timeoutMs = 2_000): Promise<void> {
    const { seq } = (await this.client.request('GET', '/seq', undefined, timeoutMs)) as { seq: number };
    if (this.closed || this.received >= seq) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.waiters.push({ seq, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  issuedTokens(): string[] {
    return [...this.tokens];
  }

  usedScopes(): string[] {
    return [...this.scopes];
  }

  movements(paymentId?: string): Movement[] {
    return paymentId === undefined ? [...this.moves] : this.moves.filter((m) => m.paymentId === paymentId);
  }

  close(): void {
    this.closed = true;
    this.unsubscribe?.();
    this.release();
  }
}

/** Ordered command queue; the first failure is kept and reported by `flush()`. */
export class CommandQueue {
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  private failure: Error | undefined;

  constructor(private readonly client: ControlClient) {}

  push(cmd: ControlCommand): void {
    this.pending++;
    this.chain = this.chain
      .then(() => this.client.request('POST', '/control', cmd))
      .then(
        () => undefined,
        (err: unknown) => {
          this.failure ??= err instanceof Error ? err : new Error(String(err));
        },
      )
      .finally(() => {
        this.pending--;
      });
  }

  get idle(): boolean {
    return this.pending === 0;
  }

  async flush(): Promise<void> {
    await this.chain;
    if (this.failure) {
      const f = this.failure;
      this.failure = undefined;
      throw new GauntletError('GAUNTLET_ERR_INTERNAL', `sandbox control command failed: ${f.message}`, { cause: f });
    }
  }
}

function checkedRule(rule: FaultRule): FaultRule {
  validateFaultSpec(rule.fault);
  return structuredClone(rule);
}

export function remoteHubControl(queue: CommandQueue, state: RemoteState): HubControl {
  let webhooks = true;
  return {
    revokeClient: (id) => queue.push({ target: 'hub', op: 'revokeClient', args: [id] }),
    restoreClient: (id) => queue.push({ target: 'hub', op: 'restoreClient', args: [id] }),
    revokeAllTokens: () => queue.push({ target: 'hub', op: 'revokeAllTokens', args: [] }),
    setTokenTtlSeconds: (s) => queue.push({ target: 'hub', op: 'setTokenTtlSeconds', args: [s] }),
    setWebhooksEnabled: (enabled) => {
      webhooks = enabled;
      queue.push({ target: 'hub', op: 'setWebhooksEnabled', args: [enabled] });
    },
    webhooksEnabled: () => webhooks,
    usedScopes: () => state.usedScopes(),
    issuedTokens: () => state.issuedTokens(),
    injectFault: (rule) => queue.push({ target: 'hub', op: 'injectFault', args: [checkedRule(rule)] }),
    clearFaults: () => queue.push({ target: 'hub', op: 'clearFaults', args: [] }),
  };
}

export function remoteAcquirerControl(queue: CommandQueue, state: RemoteState): AcquirerControl {
  return {
    injectFault: (rule) => queue.push({ target: 'acquirer', op: 'injectFault', args: [checkedRule(rule)] }),
    clearFaults: () => queue.push({ target: 'acquirer', op: 'clearFaults', args: [] }),
    movements: (paymentId) => state.movements(paymentId),
  };
}
