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
  /** Fault the sandbox injected for this call, if any. */
  fault?: string;
  /** Capped request body, for evidence (redacted before reporting). */
  requestBody?: string;
}

export type LedgerListener = (entry: LedgerEntry) => void;

export class Ledger {
  private readonly entries: LedgerEntry[] = [];
  private readonly listeners = new Set<LedgerListener>();
  private nextSeq = 1;
  private activeScenario: string | undefined;
  /** objectId -> most recent event that mentioned it. */
  private readonly owners = new Map<string, { eventId: string; eventType: string }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Remember which event mentions which object ids, for attribution of later calls. */
  registerEvent(eventId: string, eventType: string, objectIds: Iterable<string>): void {
    for (const id of objectIds) this.owners.set(id, { eventId, eventType });
  }

  setScenario(id: string | undefined): void {
    this.activeScenario = id;
  }

  record(partial: Omit<LedgerEntry, 'seq' | 'at' | 'causedBy' | 'scenarioId'>): LedgerEntry {
    let causedBy: LedgerEntry['causedBy'];
    for (const id of partial.objectIds) {
      const owner = this.owners.get(id);
      if (owner) {
        causedBy = owner;
        break;
      }
    }
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
