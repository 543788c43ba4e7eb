/**
 * The published JSON Schema of `connector.yaml` (contract section 2). It is the single
 * source of the structural rules: the loader validates with it, and
 * `docs/schemas/manifest.schema.json` is its rendering (a test keeps them equal), so
 * editors and CI pipelines see exactly what the loader enforces. Rules that need more
 * than one field (tier only raises, effects keys are subscribed events, paths stay in
 * the project) live in load.ts.
 *
 * Regenerate the published file after editing:
 *   npx tsx -e "import('./harness/manifest/schema.ts').then((m) => process.stdout.write(m.renderManifestSchema()))" > docs/schemas/manifest.schema.json
 */
import { CONNECTOR_TYPES, SERVICE_KINDS, SIGNATURE_SCHEMES, TIERS } from './types.js';

export const MANIFEST_SCHEMA_ID = 'urn:gauntlet:schema:manifest:v1';

/** Patterns with the human wording the loader uses when a value does not match. */
export const PATTERNS = {
  name: { pattern: '^[a-z0-9][a-z0-9._-]*$', hint: 'lower-case letters, digits, ".", "_" and "-", starting with a letter or digit (e.g. "acme-refunds")' },
  eventType: { pattern: '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$', hint: 'an event type like "refund.requested" (lower-case words joined by ".")' },
  scope: { pattern: '^[a-z][a-z0-9_-]*:[a-z][a-z0-9_-]*$', hint: 'a scope like "refunds:write" (area:verb)' },
  egress: {
    pattern: '^(hub|acquirer|(\\*\\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(:[0-9]{1,5})?|\\[[0-9A-Fa-f:.]+\\](:[0-9]{1,5})?)$',
    hint: '"hub", "acquirer", or a host[:port] pattern such as "api.example.test:443" or "*.example.test"',
  },
  urlPath: { pattern: '^/[^\\s]*$', hint: 'a URL path starting with "/" and without spaces (e.g. "/health")' },
  envName: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$', hint: 'a variable name: letters, digits and "_", not starting with a digit' },
  httpUrl: { pattern: '^https?://[^\\s]+$', hint: 'an http:// or https:// URL without spaces' },
  noSpace: { pattern: '^[^\\s]+$', hint: 'a value without spaces' },
} as const;

const str = (extra: Record<string, unknown> = {}) => ({ type: 'string', ...extra });
const intRange = (minimum: number, maximum: number, description: string) => ({ type: 'integer', minimum, maximum, description });
const stringMap = (keyPattern: string, description: string) => ({
  type: 'object',
  description,
  propertyNames: { pattern: keyPattern },
  additionalProperties: { type: 'string', maxLength: 8192 },
});

const effectEntry = {
  type: 'object',
  additionalProperties: false,
  required: ['call'],
  properties: {
    call: str({ minLength: 1, maxLength: 2048, description: '[hub|acquirer] METHOD PATH; target defaults to hub; {name} in the path matches one segment.' }),
    max: intRange(0, 1_000_000, 'At most this many effects per distinct event id (idempotency).'),
    min: intRange(0, 1_000_000, 'At least this many effects, eventually (no dropped events).'),
    cancelledBy: {
      type: 'array',
      description: 'Event types that cancel this effect for the same data.object.id when delivered first.',
      uniqueItems: true,
      maxItems: 100,
      items: str({ pattern: PATTERNS.eventType.pattern }),
    },
  },
};

export const MANIFEST_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: MANIFEST_SCHEMA_ID,
  title: 'Gauntlet connector manifest (connector.yaml)',
  description: 'Declares how to run a payment connector and what its webhooks must cause. See docs/connector-contract.md section 2.',
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'name', 'version', 'type', 'run', 'webhooks'],
  properties: {
    apiVersion: { const: 'gauntlet/v1', description: 'Manifest format version.' },
    name: str({ minLength: 1, maxLength: 100, pattern: PATTERNS.name.pattern }),
    version: str({ minLength: 1, maxLength: 100, description: 'The connector version, as a string (quote numbers like "1.4").' }),
    type: { enum: [...CONNECTOR_TYPES], description: 'Sets the default risk tier.' },
    tier: { enum: [...TIERS], description: 'Optional; may only raise the default tier of the type.' },
    owner: str({ maxLength: 200 }),
    run: {
      type: 'object',
      additionalProperties: false,
      description: 'Exactly one of command | image | dockerfile | url.',
      oneOf: [{ required: ['command'] }, { required: ['image'] }, { required: ['dockerfile'] }, { required: ['url'] }],
      properties: {
        command: { type: 'array', minItems: 1, maxItems: 1000, items: str({ maxLength: 8192 }), description: 'Program and arguments (no shell).' },
        cwd: str({ minLength: 1, maxLength: 4096, description: "Relative to the manifest's folder (the default)." }),
        port: intRange(1, 65535, 'Port to listen on; otherwise the harness picks one and sets PORT.'),
        healthPath: str({ maxLength: 2048, pattern: PATTERNS.urlPath.pattern, description: 'GET -> 2xx when ready.' }),
        startTimeoutMs: intRange(100, 600_000, 'How long the connector may take to become ready (default 15000).'),
        env: stringMap(PATTERNS.envName.pattern, 'Extra variables; ${NAME} expands a harness variable, $${ is a literal ${.'),
        image: str({ minLength: 1, maxLength: 1024, pattern: PATTERNS.noSpace.pattern }),
        dockerfile: str({ minLength: 1, maxLength: 4096, description: "Relative to the manifest's folder; the build context is the Dockerfile's folder." }),
        buildArgs: stringMap(PATTERNS.envName.pattern, 'Docker build arguments (dockerfile form only).'),
        args: { type: 'array', maxItems: 1000, items: str({ maxLength: 8192 }), description: "Replaces the image's CMD (image and dockerfile forms)." },
        url: str({ maxLength: 2048, pattern: PATTERNS.httpUrl.pattern, description: 'An already running connector.' }),
      },
    },
    webhooks: {
      type: 'object',
      additionalProperties: false,
      required: ['path', 'scheme', 'events'],
      properties: {
        path: str({ maxLength: 2048, pattern: PATTERNS.urlPath.pattern }),
        scheme: { enum: [...SIGNATURE_SCHEMES] },
        events: { type: 'array', minItems: 1, maxItems: 200, uniqueItems: true, items: str({ pattern: PATTERNS.eventType.pattern }) },
        toleranceSec: intRange(1, 3600, 'Signature timestamp tolerance in seconds (default 300).'),
      },
    },
    scopes: { type: 'array', maxItems: 200, uniqueItems: true, items: str({ pattern: PATTERNS.scope.pattern }) },
    egress: { type: 'array', maxItems: 200, uniqueItems: true, items: str({ maxLength: 300, pattern: PATTERNS.egress.pattern }) },
    effects: {
      type: 'object',
      description: 'Event type -> one effect rule or a list of them.',
      propertyNames: { pattern: PATTERNS.eventType.pattern },
      additionalProperties: {
        if: { type: 'array' },
        then: { type: 'array', minItems: 1, maxItems: 100, items: effectEntry },
        else: effectEntry,
      },
    },
    sla: {
      type: 'object',
      additionalProperties: false,
      properties: {
        ackMs: intRange(1, 60_000, 'A valid webhook must be answered within this (default 2000).'),
        outboundTimeoutMs: intRange(1, 120_000, "The connector's own timeout on outbound calls (default 5000)."),
      },
    },
    services: { type: 'array', uniqueItems: true, items: { enum: [...SERVICE_KINDS] } },
  },
} as const;

/** The exact text of docs/schemas/manifest.schema.json. */
export function renderManifestSchema(): string {
  return `${JSON.stringify(MANIFEST_SCHEMA, null, 2)}\n`;
}
