import type { EffectRule, Manifest } from '../manifest/types.js';
import type { Ledger } from '../model/ledger.js';
import { entryMatchesRule, rulesFor } from '../runner/effects-oracle.js';
import type { ReconciliationSummary } from './types.js';

export interface LoadEventRef {
  id: string;
  type: string;
}

const MAX_EXAMPLES = 5;

/**
 * Committed effects per load event and rule, counted incrementally from the ledger:
 * each `update()` reads only entries appended since the last one, so settling over
 * thousands of events stays linear (the per-event scan of the runner's oracle is
 * quadratic at this size).
 */
export class EffectTally {
  private cursor = 0;
  private readonly index = new Map<string, number>();
  private readonly rules: EffectRule[][];
  /** counts[event][rule] */
  private readonly counts: Int32Array[];
  /** Events that gained an effect since the caller last drained `touched`. */
  readonly touched = new Set<number>();
  lastEntryAt = 0;
  committed = 0;

  constructor(
    manifest: Manifest,
    private readonly ledger: Ledger,
    private readonly afterSeq: number,
    readonly events: readonly LoadEventRef[],
  ) {
    const byType = new Map<string, EffectRule[]>();
    this.rules = events.map((e) => {
      let r = byType.get(e.type);
      if (!r) byType.set(e.type, (r = rulesFor(manifest, e.type)));
      return r;
    });
    this.counts = this.rules.map((r) => new Int32Array(r.length));
    events.forEach((e, i) => this.index.set(e.id, i));
  }

  /** Reads new ledger entries; returns how many were read. */
  update(): number {
    const all = this.ledger.all();
    const from = this.cursor;
    for (; this.cursor < all.length; this.cursor++) {
      const e = all[this.cursor]!;
      if (e.seq <= this.afterSeq) continue;
      this.lastEntryAt = Math.max(this.lastEntryAt, e.at);
      if (!e.committed || !e.causedBy) continue;
      const i = this.index.get(e.causedBy.eventId);
      if (i === undefined) continue;
      const rules = this.rules[i]!;
      for (let k = 0; k < rules.length; k++) {
        if (entryMatchesRule(e, rules[k]!)) {
          this.counts[i]![k]!++;
          this.committed++;
          this.touched.add(i);
        }
      }
    }
    return this.cursor - from;
  }

  hasRules(event: number): boolean {
    return this.rules[event]!.length > 0;
  }

  minMet(event: number): boolean {
    const rules = this.rules[event]!;
    const c = this.counts[event]!;
    for (let k = 0; k < rules.length; k++) if (c[k]! < (rules[k]!.min ?? 0)) return false;
    return true;
  }

  /** Per rule: the rule and its committed count for one event. */
  checks(event: number): Array<{ rule: EffectRule; committed: number }> {
    return this.rules[event]!.map((rule, k) => ({ rule, committed: this.counts[event]![k]! }));
  }
}

export interface SettleLoadOptions {
  tally: EffectTally;
  /** Event indices that were acknowledged: each owes its effects.min. */
  accepted: readonly number[];
  now: () => number;
  /** End early once every min is met and the ledger has been quiet this long. */
  quietMs: number;
  /** Give up once nothing new reached the ledger for this long (the connector stopped working). */
  idleMs: number;
  maxMs: number;
  signal?: AbortSignal;
  /** When the last answer of the load arrived (ledger clock). */
  loadEndedAt: number;
  pollMs?: number;
}

/**
 * Waits for the connector to finish the work it acknowledged: "eventually" in
 * `effects.min`, made finite. Ends when every accepted event met its minimum and the
 * ledger has been quiet for `quietMs` (a late second effect would still be seen), when
 * the ledger made no progress for `idleMs`, or at `maxMs`.
 */
export async function settleLoad(o: SettleLoadOptions): Promise<{ settledBy: ReconciliationSummary['settledBy']; settleMs: number }> {
  const started = o.now();
  const deadline = started + o.maxMs;
  const unmet = new Set(o.accepted.filter((e) => o.tally.hasRules(e)));
  const poll = o.pollMs ?? 50;
  for (;;) {
    o.tally.update();
    for (const e of o.tally.touched) if (unmet.has(e) && o.tally.minMet(e)) unmet.delete(e);
    o.tally.touched.clear();
    const now = o.now();
    const quiet = now - Math.max(o.tally.lastEntryAt, o.loadEndedAt);
    if (o.signal?.aborted) return { settledBy: 'aborted', settleMs: now - started };
    if (unmet.size === 0 && quiet >= o.quietMs) return { settledBy: 'met', settleMs: now - started };
    if (quiet >= o.idleMs) return { settledBy: 'idle', settleMs: now - started };
    if (now >= deadline) return { settledBy: 'limit', settleMs: now - started };
    await new Promise((r) => setTimeout(r, Math.max(1, Math.min(poll, deadline - now))));
  }
}

/** The ledger reconciled against what was sent: dropped and excess effects, with examples. */
export function reconcile(tally: EffectTally, accepted: ReadonlySet<number>, settle: { settledBy: ReconciliationSummary['settledBy']; settleMs: number }): ReconciliationSummary {
  tally.update();
  let eventsWithRules = 0;
  let droppedEvents = 0;
  let missingEffects = 0;
  let excessEvents = 0;
  let excessEffects = 0;
  const examples: ReconciliationSummary['examples'] = [];
  const dropped: ReconciliationSummary['examples'] = [];
  tally.events.forEach((ev, i) => {
    const checks = tally.checks(i);
    if (checks.length === 0) return;
    let isDropped = false;
    let isExcess = false;
    if (accepted.has(i)) {
      eventsWithRules++;
      for (const c of checks) {
        const min = c.rule.min ?? 0;
        if (c.committed < min) {
          isDropped = true;
          missingEffects += min - c.committed;
          if (dropped.length < MAX_EXAMPLES) dropped.push({ eventId: ev.id, eventType: ev.type, rule: c.rule.call, committed: c.committed, min, kind: 'dropped' });
        }
      }
    }
    for (const c of checks) {
      if (c.rule.max !== undefined && c.committed > c.rule.max) {
        isExcess = true;
        excessEffects += c.committed - c.rule.max;
        if (examples.length < MAX_EXAMPLES) examples.push({ eventId: ev.id, eventType: ev.type, rule: c.rule.call, committed: c.committed, max: c.rule.max, kind: 'excess' });
      }
    }
    if (isDropped) droppedEvents++;
    if (isExcess) excessEvents++;
  });
  return {
    acceptedEvents: accepted.size,
    eventsWithRules,
    droppedEvents,
    missingEffects,
    excessEvents,
    excessEffects,
    committedEffects: tally.committed,
    settleMs: Math.round(settle.settleMs),
    settledBy: settle.settledBy,
    examples: [...dropped, ...examples],
  };
}
