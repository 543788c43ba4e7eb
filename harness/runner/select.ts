import { createHash } from 'node:crypto';
import { GauntletError } from '../errors.js';
import { hasControl } from '../scoring/controls.js';
import type { ScenarioDefinition } from './scenario.js';

/** Checks the catalogue once: unique ids, known controls. Collects every problem. */
export function validateCatalog(scenarios: readonly ScenarioDefinition[]): void {
  const problems: Array<{ path: string; reason: string }> = [];
  const seen = new Set<string>();
  for (const s of scenarios) {
    if (seen.has(s.id)) problems.push({ path: s.id, reason: 'duplicate scenario id' });
    seen.add(s.id);
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(s.id)) problems.push({ path: s.id, reason: 'scenario ids are kebab-case' });
    for (const c of s.controls) if (!hasControl(c)) problems.push({ path: `${s.id}.controls`, reason: `unknown control "${c}"` });
  }
  if (problems.length) throw new GauntletError('GAUNTLET_ERR_CATALOG_INVALID', `scenario catalogue has ${problems.length} problem(s)`, { problems });
}

export interface Shard {
  index: number; // 1-based
  total: number;
}

/** Deterministic shard of a scenario: by a hash of its id, so adding scenarios moves few others. */
export function shardOf(id: string, total: number): number {
  return (createHash('sha256').update(id).digest().readUInt32BE(0) % total) + 1;
}

/** Filters by explicit ids (in catalogue order) and shard. Unknown ids are an error. */
export function selectScenarios(all: readonly ScenarioDefinition[], opts: { ids?: string[]; packs?: string[]; shard?: Shard }): ScenarioDefinition[] {
  const byId = new Map(all.map((s) => [s.id, s]));
  const unknown = (opts.ids ?? []).filter((id) => !byId.has(id));
  if (unknown.length) {
    throw new GauntletError('GAUNTLET_ERR_SCENARIO_UNKNOWN', `unknown scenario id(s): ${unknown.join(', ')}`, {
      problems: unknown.map((id) => ({ path: '--scenario', reason: `"${id}" is not in the catalogue` })),
    });
  }
  const packs = new Set(all.map((s) => s.pack));
  const badPacks = (opts.packs ?? []).filter((p) => !packs.has(p));
  if (badPacks.length) {
    throw new GauntletError('GAUNTLET_ERR_SCENARIO_UNKNOWN', `unknown pack(s): ${badPacks.join(', ')}`, {
      problems: badPacks.map((p) => ({ path: '--pack', reason: `"${p}" is not a pack; packs: ${[...packs].join(', ')}` })),
    });
  }
  let out = [...all];
  if (opts.ids?.length) out = out.filter((s) => opts.ids!.includes(s.id));
  if (opts.packs?.length) out = out.filter((s) => opts.packs!.includes(s.pack));
  if (opts.shard) out = out.filter((s) => shardOf(s.id, opts.shard!.total) === opts.shard!.index);
  return out;
}
