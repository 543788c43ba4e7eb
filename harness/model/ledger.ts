/**
 * The ledger: every call the connector makes to the sandbox (hub, acquirer, egress),
 * attributed to the event that caused it. The effects oracle reads only this.
 */
export type LedgerTarget = 'hub' | 'acquirer' | 'egress';

export interface LedgerEntry {
  /** Monotonic sequence number within the run. */
  seq: number;
  /** Wall-clock ms (injected clock). */
  at: number;
  target: LedgerTarget;
  method: string;
  /** Concrete path without query, e.g. `/v1/payments/pay_123/risk_assessments`. */
  path: string;
  /** Matched route template, e.g. `/v1/payments/{id}/risk_assessments`; undefined when unmatched. */
  route?: string;
  /** HTTP status returned, or null when the sandbox dropped/hung the call on purpose. */
  status: number | null;
  clientId?: string;
  /** Opaque id of the bearer token used (never the token itself). */
  tokenId?: string;
  /** Scope the call required (hub) and whether the token had it. */
  scope?: string;
  idempotencyKey?: string;
  /** True when the response was replayed from the idempotency cache (no new state). */
  idempotentReplay?: boolean;
  /** True when this call created or moved something (a committed effect). */
  committed: boolean;
  /** Object ids found in the path/body (pay_…, re_…, po_…, cus_…, dp_…) used for attribution. */
  objectIds: string[];
  /** Event that caused it, when attribution succeeded. */
  causedBy?: { eventId: string; eventType: string };
  /** Scenario active when the call arrived. */
  scenarioId?: string;
  /** Host:port for egress entries. */
  destination?: string;
  /** Egress entries: which mechanism saw the attempt (unset: the HTTP_PROXY egress proxy). See docs/egress.md. */
  observedBy?: 'egress-proxy' | 'interceptor';
  /** Fault the sandbox injected for this call, if any. */
  fault?: string;
  /**
   * For a faulted call (hang, delay, commit-then-hang, slow body): ms from its arrival until
   * the client closed the connection without waiting for the answer; unset while it waits.
   * Evidence for clause 9 (did the connector give up within its declared timeout?).
   */
  abandonedAfterMs?: number;
  /** Capped request body, for evidence (redacted before reporting). */
  requestBody?: string;
}

export type LedgerListener = (entry: LedgerEntry) => void;

export interface EventRef {
  eventId: string;
  eventType: string;
}

/**
 * Chooses the causing event among candidates (events that mentioned one of the call's
 * object ids, path ids first, most recent first). Lets the runner prefer the event whose
 * effect rules match the call when two events share an object (a refund names its payment).
 */
export type AttributionPolicy = (entry: Omit<LedgerEntry, 'seq' | 'at' | 'causedBy' | 'scenarioId'>, candidates: readonly EventRef[]) => EventRef | undefined;

const MAX_EVENTS_PER_OBJECT = 16;

export class Ledger {
  private readonly entries: LedgerEntry[] = [];
  private readonly listeners = new Set<LedgerListener>();
  private nextSeq = 1;
  private activeScenario: string | undefined;
  /** objectId -> events that mentioned it, most recent last (bounded). */
  private readonly owners = new Map<string, EventRef[]>();
  private policy: AttributionPolicy | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  /** Remember which event mentions which object ids, for attribution of later calls. */
  registerEvent(eventId: string, eventType: string, objectIds: Iterable<string>): void {
    for (const id of objectIds) {
      const list = (this.owners.get(id) ?? []).filter((r) => r.eventId !== eventId);
      list.push({ eventId, eventType });
      if (list.length > MAX_EVENTS_PER_OBJECT) list.shift();
      this.owners.set(id, list);
    }
  }

  setAttributionPolicy(policy: AttributionPolicy | undefined): void {
    this.policy = policy;
  }

  private attribute(partial: Omit<LedgerEntry, 'seq' | 'at' | 'causedBy' | 'scenarioId'>): EventRef | undefined {
    const candidates: EventRef[] = [];
    const seen = new Set<string>();
    for (const id of partial.objectIds) {
      const list = this.owners.get(id);
      if (!list) continue;
      for (let i = list.length - 1; i >= 0; i--) {
        const ref = list[i]!;
        if (!seen.has(ref.eventId)) {
          seen.add(ref.eventId);
          candidates.push(ref);
        }
      }
    }
    if (candidates.length === 0) return undefined;
    return (this.policy?.(partial, candidates) ?? candidates[0])!;
  }

  setScenario(id: string | undefined): void {
    this.activeScenario = id;
  }

  record(partial: Omit<LedgerEntry, 'seq' | 'at' | 'causedBy' | 'scenarioId'>): LedgerEntry {
    const causedBy = this.attribute(partial);
    const entry: LedgerEntry = { ...partial, seq: this.nextSeq++, at: this.now(), causedBy, scenarioId: this.activeScenario };
    this.entries.push(entry);
    for (const l of this.listeners) l(entry);
    return entry;
  }

  onEntry(listener: LedgerListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Entries with seq > afterSeq (a scenario keeps its starting seq as a scope). */
  since(afterSeq = 0): LedgerEntry[] {
    return this.entries.filter((e) => e.seq > afterSeq);
  }

  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  all(): readonly LedgerEntry[] {
    return this.entries;
  }
}
