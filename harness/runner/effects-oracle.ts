import { matchPath } from '../manifest/effects.js';
import type { EffectRule, Manifest } from '../manifest/types.js';
import type { LedgerEntry } from '../model/ledger.js';

/** Pure functions over ledger entries: the effects oracle (contract section 6, `effects`). */

export function entryMatchesRule(entry: LedgerEntry, rule: EffectRule): boolean {
  return entry.target === rule.target && entry.method === rule.method && matchPath(rule.path, entry.path) !== null;
}

/** A call that tries to change something: any write to hub or acquirer except token requests. */
export function isEffectAttempt(entry: LedgerEntry): boolean {
  if (entry.target === 'egress') return false;
  if (entry.method === 'GET' || entry.method === 'HEAD' || entry.method === 'OPTIONS') return false;
  return entry.path !== '/oauth/token';
}

export function attributedTo(entries: readonly LedgerEntry[], eventId: string): LedgerEntry[] {
  return entries.filter((e) => e.causedBy?.eventId === eventId);
}

export function mentioning(entries: readonly LedgerEntry[], objectId: string): LedgerEntry[] {
  return entries.filter((e) => e.objectIds.includes(objectId));
}

/** Effect attempts (committed or not) among entries. */
export function effectAttempts(entries: readonly LedgerEntry[]): LedgerEntry[] {
  return entries.filter(isEffectAttempt);
}

/** Committed effects matching a rule. */
export function committedFor(entries: readonly LedgerEntry[], rule: EffectRule): LedgerEntry[] {
  return entries.filter((e) => e.committed && entryMatchesRule(e, rule));
}

export function rulesFor(manifest: Manifest, eventType: string): EffectRule[] {
  return manifest.effects[eventType] ?? [];
}

export interface RuleCheck {
  rule: EffectRule;
  committed: number;
  minOk: boolean;
  maxOk: boolean;
}

/** Checks every rule of an event type against the entries attributed to one event. */
export function checkRules(manifest: Manifest, eventType: string, entries: readonly LedgerEntry[]): RuleCheck[] {
  return rulesFor(manifest, eventType).map((rule) => {
    const committed = committedFor(entries, rule).length;
    return {
      rule,
      committed,
      minOk: committed >= (rule.min ?? 0),
      maxOk: rule.max === undefined || committed <= rule.max,
    };
  });
}

export function describeEntry(e: LedgerEntry): string {
  const status = e.status === null ? 'no answer' : String(e.status);
  const key = e.idempotencyKey ? ` key=${e.idempotencyKey}` : '';
  return `${e.target} ${e.method} ${e.path} → ${status}${e.committed ? ' (committed)' : ''}${key}`;
}
