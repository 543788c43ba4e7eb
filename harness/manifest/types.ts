/** The validated, normalised manifest (contract section 2). Produced only by `loadManifest`. */
export const CONNECTOR_TYPES = ['fraud-scoring', 'tax', 'reconciliation', 'support-chat', 'payout', 'other'] as const;
export type ConnectorType = (typeof CONNECTOR_TYPES)[number];

export const TIERS = ['low', 'medium', 'high', 'critical'] as const;
export type Tier = (typeof TIERS)[number];

export const SIGNATURE_SCHEMES = ['standard-webhooks', 'stripe', 'github', 'hmac-sha256'] as const;
export type SignatureScheme = (typeof SIGNATURE_SCHEMES)[number];

export const SERVICE_KINDS = ['postgres', 'redis'] as const;
export type ServiceKind = (typeof SERVICE_KINDS)[number];

export const DEFAULT_TIER: Record<ConnectorType, Tier> = {
  'fraud-scoring': 'high',
  tax: 'medium',
  reconciliation: 'medium',
  'support-chat': 'medium',
  payout: 'critical',
  other: 'medium',
};

export type EffectTarget = 'hub' | 'acquirer';

/** One oracle rule: `call: acquirer POST /v1/refunds` with bounds. */
export interface EffectRule {
  /** The rule as written, for messages: `acquirer POST /v1/refunds`. */
  call: string;
  target: EffectTarget;
  method: string;
  /** Path template; `{name}` matches one segment. */
  path: string;
  /** At most this many committed effects per distinct event id. Undefined = unbounded. */
  max?: number;
  /** At least this many, eventually. Undefined = 0. */
  min?: number;
  /** Event types that cancel this effect for the same `data.object.id`. */
  cancelledBy: string[];
}

export interface RunSpec {
  command?: string[];
  /** Absolute path (resolved against the manifest's folder). */
  cwd: string;
  port?: number;
  healthPath?: string;
  startTimeoutMs: number;
  /** Values may contain `${NAME}` references to the harness environment; expanded by the driver. */
  env: Record<string, string>;
  image?: string;
  /** Absolute path. */
  dockerfile?: string;
  buildArgs?: Record<string, string>;
  args?: string[];
  url?: string;
}

export interface Manifest {
  apiVersion: 'gauntlet/v1';
  name: string;
  version: string;
  type: ConnectorType;
  /** Effective tier: max(default for type, declared tier). */
  tier: Tier;
  owner?: string;
  run: RunSpec;
  webhooks: {
    path: string;
    scheme: SignatureScheme;
    events: string[];
    /** Signature tolerance window in seconds (default 300). */
    toleranceSec: number;
  };
  scopes: string[];
  egress: string[];
  /** Keyed by event type. */
  effects: Record<string, EffectRule[]>;
  sla: { ackMs: number; outboundTimeoutMs: number };
  services: ServiceKind[];
  /** Absolute path of the manifest file, and its folder. */
  source: { path: string; dir: string };
}
