import type { Ledger } from '../model/ledger.js';

/** Fresh per run; never printed. */
export interface RunSecrets {
  webhookSecret: string;
  clientId: string;
  clientSecret: string;
}

/** A fault a mock route injects on purpose (contract clause 9). */
export type FaultSpec =
  | { kind: 'hang' }
  | { kind: 'delay'; ms: number }
  | { kind: 'status'; status: number; retryAfterSec?: number; body?: string }
  | { kind: 'reset' }
  | { kind: 'malformed' }
  | { kind: 'truncated' }
  | { kind: 'slow-body'; ms: number }
  /** Commit the effect, then never answer: the connector's call times out although it succeeded. */
  | { kind: 'commit-then-hang' };

export interface FaultRule {
  /** `POST /v1/refunds`; `{x}` matches one segment; `*` method matches any. */
  route: string;
  fault: FaultSpec;
  /** Apply to the next N matching calls (default: until cleared). */
  times?: number;
}

export interface HubControl {
  /** Revoke a client: its tokens stop working and it cannot get new ones. */
  revokeClient(clientId: string): void;
  /** Undo revocation (fresh credentials scenario). */
  restoreClient(clientId: string): void;
  /** Revoke every token issued so far (client stays valid: it can refresh). */
  revokeAllTokens(): void;
  /** Lifetime of tokens issued from now on. */
  setTokenTtlSeconds(seconds: number): void;
  /** Kill switch: hub stops sending webhooks (the runner consults this). */
  setWebhooksEnabled(enabled: boolean): void;
  webhooksEnabled(): boolean;
  /** Scopes actually exercised by successful calls so far. */
  usedScopes(): string[];
  /** Every bearer token issued in this run (for redaction). */
  issuedTokens(): string[];
  injectFault(rule: FaultRule): void;
  clearFaults(): void;
}

export interface AcquirerControl {
  injectFault(rule: FaultRule): void;
  clearFaults(): void;
  /** Committed money movements (captures/refunds) recorded per payment id. */
  movements(paymentId?: string): Array<{ kind: 'authorization' | 'capture' | 'refund'; paymentId: string; amount: number; idempotencyKey?: string }>;
}

/** A started sandbox. Everything it started stops in `stop()` (idempotent). */
export interface StartedSandbox extends AsyncDisposable {
  readonly kind: 'embedded' | 'containers';
  readonly hubUrl: string;
  readonly acquirerUrl: string;
  /** Egress proxy URL (HTTP_PROXY), when the sandbox runs one. */
  readonly egressProxyUrl?: string;
  readonly secrets: RunSecrets;
  readonly ledger: Ledger;
  readonly hub: HubControl;
  readonly acquirer: AcquirerControl;
  /** Contract section 3 variables, except PORT (the driver sets it). */
  connectorEnv(): Record<string, string>;
  /** The manifest egress allow-list as the egress proxy applies it (process mode); used by the preloaded interceptor. */
  egressAllows?(host: string, port: number): boolean;
  /** Every secret value of the run (webhook/client secrets, issued tokens) for redaction. */
  secretValues(): string[];
  stop(): Promise<void>;
}
