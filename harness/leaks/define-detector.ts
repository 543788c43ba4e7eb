/** The detector catalogue: data plus one small pure function each, registered by explicit id. */
import { GauntletError } from '../errors.js';
import type { LeakDetector } from './types.js';

const registry = new Map<string, LeakDetector>();
const ID = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/**
 * Registers a detector and returns it.
 * @example
 * export const iban = defineDetector({
 *   id: 'iban', control: 'no-sensitive-data-leak', description: 'IBANs with a valid mod-97 checksum',
 *   scan: (text, ctx) => findIbans(text).slice(0, ctx.maxHits),
 * });
 */
export function defineDetector(def: LeakDetector): LeakDetector {
  const problems = [];
  if (!ID.test(def.id)) problems.push({ path: 'id', reason: 'must be kebab-case' });
  if (def.control !== 'no-sensitive-data-leak' && def.control !== 'no-secret-leak') problems.push({ path: 'control', reason: 'must be no-sensitive-data-leak or no-secret-leak' });
  if (typeof def.scan !== 'function') problems.push({ path: 'scan', reason: 'must be a function' });
  if (registry.has(def.id)) problems.push({ path: 'id', reason: `duplicate detector id ${def.id}` });
  if (problems.length) throw new GauntletError('GAUNTLET_ERR_CATALOG_INVALID', `leak detector ${JSON.stringify(def.id)} is invalid`, { problems });
  const frozen = Object.freeze({ ...def });
  registry.set(def.id, frozen);
  return frozen;
}

export function leakDetectors(): LeakDetector[] {
  return [...registry.values()];
}

export function leakDetector(id: string): LeakDetector | undefined {
  return registry.get(id);
}
