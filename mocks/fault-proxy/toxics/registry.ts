import type { FieldProblem } from '../../../harness/errors.js';
import { bandwidthToxic } from './bandwidth.js';
import { latencyToxic } from './latency.js';
import { limitDataToxic } from './limit-data.js';
import { resetPeerToxic } from './reset-peer.js';
import { slicerToxic } from './slicer.js';
import { slowCloseToxic } from './slow-close.js';
import { timeoutToxic } from './timeout.js';
import type { ToxicDefinition } from './types.js';

/** The catalogue of toxic types, keyed by Toxiproxy's type name. */
export const TOXIC_TYPES: ReadonlyMap<string, ToxicDefinition> = new Map(
  ([latencyToxic, bandwidthToxic, slowCloseToxic, timeoutToxic, resetPeerToxic, slicerToxic, limitDataToxic] as unknown as ToxicDefinition[]).map(
    (def) => [def.type, def],
  ),
);

export function toxicTypeNames(): string[] {
  return [...TOXIC_TYPES.keys()];
}

/**
 * Fills defaults and checks every attribute of `type` (numbers in range); unknown
 * attributes are rejected so a typo does not silently configure nothing.
 */
export function normaliseAttributes(
  def: ToxicDefinition,
  input: unknown,
  base: Record<string, number> = {},
): { attributes: Record<string, number>; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const attributes: Record<string, number> = {};
  for (const [key, spec] of Object.entries(def.attributes)) attributes[key] = base[key] ?? spec.default;
  if (input === undefined || input === null) return { attributes, problems };
  if (typeof input !== 'object' || Array.isArray(input)) {
    return { attributes, problems: [{ path: 'attributes', reason: 'must be an object' }] };
  }
  for (const [key, value] of Object.entries(input)) {
    const spec = def.attributes[key];
    const path = `attributes.${key}`;
    if (!spec) {
      problems.push({ path, reason: `unknown attribute for ${def.type} (known: ${Object.keys(def.attributes).join(', ')})` });
    } else if (typeof value !== 'number' || !Number.isFinite(value)) {
      problems.push({ path, reason: 'must be a number' });
    } else if (spec.integer && !Number.isInteger(value)) {
      problems.push({ path, reason: 'must be a whole number' });
    } else if (value < spec.min || value > spec.max) {
      problems.push({ path, reason: `must be between ${spec.min} and ${spec.max}` });
    } else {
      attributes[key] = value;
    }
  }
  return { attributes, problems };
}
