/**
 * Wire format between the host-side harness and the sandbox services container
 * (`harness/sandbox/serve-sandbox.ts`). Plain data, shared by both ends so they
 * cannot drift apart.
 */
import type { LedgerEntry } from '../../model/ledger.js';
import type { FaultRule, RunSecrets } from '../types.js';

/** Ports inside the sandbox container. Fixed: the connector reaches them by alias. */
export const SANDBOX_PORTS = { control: 7070, relay: 7071, hub: 8081, acquirer: 8082, egress: 3128 } as const;

/** Network aliases of the sandbox container on the run's internal network. */
export const SANDBOX_ALIASES = { hub: 'hub', acquirer: 'acquirer', egress: 'egress', harness: 'harness' } as const;

/** Header carrying the control token; the connector shares a network with the control port and must not drive it. */
export const CONTROL_TOKEN_HEADER = 'x-gauntlet-control-token';
export const CONTROL_TOKEN_ENV = 'GAUNTLET_CONTROL_TOKEN';

/** Sent once by the host before the services start. Secrets travel here, never in the container's env. */
export interface SandboxConfig {
  secrets: RunSecrets;
  scopes: string[];
  egress: string[];
  seed?: number;
  maxBodyBytes: number;
}

/** What the ledger records before the host numbers and attributes it. */
export type LedgerPartial = Omit<LedgerEntry, 'seq' | 'at' | 'causedBy' | 'scenarioId'>;

/**
 * One line of the `/events` NDJSON stream. State deltas are written before the
 * entry that revealed them, so the host mirror is never behind its ledger.
 */
export type SandboxEvent =
  /** `t`: the container's wall clock at record time (the host subtracts the stream's lag). */
  | { k: 'entry'; n: number; t: number; e: LedgerPartial }
  /** A mock learned more about an entry after recording it (e.g. `abandonedAfterMs`). */
  | { k: 'update'; n: number; f: string; v: unknown }
  | { k: 'tokens'; v: string[] }
  | { k: 'scopes'; v: string[] }
  | { k: 'movements'; v: Array<{ kind: 'authorization' | 'capture' | 'refund'; paymentId: string; amount: number; idempotencyKey?: string }> }
  | { k: 'ready' };

export type ControlCommand =
  | { target: 'hub'; op: 'revokeClient' | 'restoreClient'; args: [string] }
  | { target: 'hub'; op: 'revokeAllTokens'; args: [] }
  | { target: 'hub'; op: 'setTokenTtlSeconds'; args: [number] }
  | { target: 'hub'; op: 'setWebhooksEnabled'; args: [boolean] }
  | { target: 'hub' | 'acquirer'; op: 'injectFault'; args: [FaultRule] }
  | { target: 'hub' | 'acquirer'; op: 'clearFaults'; args: [] }
  | { target: 'relay'; op: 'allow'; args: [string] }
  | { target: 'relay'; op: 'forget'; args: [string] }
  /** Listen on a new port of the sandbox container and forward to `ip:port` (a host forwarder); answers `{ port }`. */
  | { target: 'relay'; op: 'expose'; args: [string] };



/** First line a relay client sends: `GAUNTLET-RELAY <token> <host>:<port>\n`, then raw bytes. */
export const RELAY_MAGIC = 'GAUNTLET-RELAY';
export const RELAY_PREAMBLE_MAX = 512;

export function relayPreamble(token: string, target: string): string {
  return `${RELAY_MAGIC} ${token} ${target}\n`;
}

/** Parses a preamble line (without the newline); undefined when malformed. */
export function parseRelayPreamble(line: string): { token: string; target: string } | undefined {
  const m = /^GAUNTLET-RELAY ([A-Za-z0-9_-]{16,128}) ([a-z0-9][a-z0-9.-]{0,62}:\d{1,5})$/.exec(line);
  return m ? { token: m[1]!, target: m[2]! } : undefined;
}
