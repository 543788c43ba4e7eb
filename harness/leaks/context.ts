/** Compiles a LeakContext once per scan: needle automata and sets the detectors share. */
import { GauntletError } from '../errors.js';
import { NeedleSearch } from './needle-search.js';
import { secretVariants } from './secret-variants.js';
import type { LeakContext, PreparedLeakContext, SecretNeedle } from './types.js';

export const DEFAULT_MAX_HITS = 10_000;
const PAN_LIKE = /^\d(?:[ -]?\d){11,18}$/;
const EXAMPLE_EMAIL = /@example\.test$/i;
/** Shorter names ("Al Li") would match ordinary words; longer ones are specific enough. */
const MIN_NAME = 5;
const MIN_PLANTED = 6;

export function prepareLeakContext(ctx: LeakContext, opts: { maxHits?: number } = {}): PreparedLeakContext {
  if (!ctx || !Array.isArray(ctx.secrets) || !Array.isArray(ctx.plantedValues)) {
    throw new GauntletError('GAUNTLET_ERR_INTERNAL', 'scanForLeaks needs ctx.secrets and ctx.plantedValues arrays', {
      problems: [{ path: 'ctx', reason: 'expected { secrets: Array<{name, value}>, plantedValues: string[] }' }],
    });
  }
  const secretNeedles: Array<{ text: string; value: SecretNeedle }> = [];
  ctx.secrets.forEach((s, i) => {
    if (typeof s?.value !== 'string' || s.value.length === 0) return;
    secretNeedles.push(...secretVariants(safeName(s.name, i), s.value));
  });

  const names = new Set<string>();
  for (const n of ctx.knownNames ?? []) if (typeof n === 'string' && n.trim().length >= MIN_NAME) names.add(n.trim());
  const nameNeedles: Array<{ text: string; value: string }> = [];
  for (const n of names) for (const text of textVariants(n)) nameNeedles.push({ text, value: n });

  const plantedDigits = new Set<string>();
  const plantedNeedles: Array<{ text: string; value: string }> = [];
  for (const v of ctx.plantedValues) {
    if (typeof v !== 'string') continue;
    if (PAN_LIKE.test(v)) plantedDigits.add(v.replace(/[ -]/g, ''));
    else if (EXAMPLE_EMAIL.test(v) || names.has(v.trim()) || v.length < MIN_PLANTED) continue;
    else for (const text of textVariants(v)) plantedNeedles.push({ text, value: v });
  }

  return {
    secrets: new NeedleSearch(secretNeedles),
    names: new NeedleSearch(nameNeedles),
    planted: new NeedleSearch(plantedNeedles),
    plantedDigits,
    allowedEmails: new Set((ctx.allowedEmails ?? []).filter((e) => typeof e === 'string').map((e) => e.toLowerCase())),
    maxHits: opts.maxHits ?? DEFAULT_MAX_HITS,
  };
}

/**
 * The LeakContext of a run: its secrets plus every dataset's canaries and customer names.
 * @example leakContextOf({ secrets, datasets: scenarioDataSets, allowedEmails: [manifest.owner] })
 */
export function leakContextOf(input: {
  secrets: Array<{ name: string; value: string }>;
  datasets?: Iterable<{ plantedValues(): string[]; knownNames(): string[] }>;
  allowedEmails?: string[];
}): LeakContext {
  const plantedValues: string[] = [];
  const knownNames: string[] = [];
  for (const d of input.datasets ?? []) {
    plantedValues.push(...d.plantedValues());
    knownNames.push(...d.knownNames());
  }
  return { secrets: input.secrets, plantedValues, knownNames, allowedEmails: input.allowedEmails ?? [] };
}

/** Raw, JSON-escaped (\uXXXX for non-ASCII, as many serialisers write it) and URL-encoded forms. */
function textVariants(v: string): string[] {
  const out = new Set([v, JSON.stringify(v).slice(1, -1)]);
  out.add(v.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  out.add(encodeURIComponent(v));
  out.add(encodeURIComponent(v).replace(/%20/g, '+'));
  return [...out];
}

/** Secret names end up in masks: keep them short and inert. */
function safeName(name: unknown, i: number): string {
  const s = typeof name === 'string' ? name.replace(/[^A-Za-z0-9_.-]+/g, '-').slice(0, 40) : '';
  return s || `secret-${i + 1}`;
}
