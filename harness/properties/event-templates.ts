import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { SyntheticData } from '../data/synthetic.js';
import type { EventEnvelope, ScenarioContext } from '../runner/context.js';

/** Templates per event type: small, so shrinking lands on template 0 and replay regenerates the same pool. */
export const TEMPLATES_PER_TYPE = 8;

/** Event ids issued per scenario context, across its factories: whose effects a property may judge. */
const ISSUED = new WeakMap<ScenarioContext, Set<string>>();

/** Whether `eventId` was issued by a property factory of this scenario. */
export function issuedHere(ctx: ScenarioContext, eventId: string): boolean {
  return ISSUED.get(ctx)?.has(eventId) ?? false;
}

/** Fields that identify an event or its object: fresh in every case so no case sees another's ledger effects. */
const ID_FIELDS = ['id', 'payment'] as const;

/**
 * Fresh, schema-valid events for property cases. Templates come from a dataset seeded by the
 * scenario seed and the property name, so a replay run rebuilds the same pool; ids are made
 * fresh (same length, so byte positions stay comparable) every time a case is built, because
 * fast-check re-runs shrunk and replayed values and a repeated event id would be de-duplicated
 * by a careful connector and mix ledger effects between cases.
 */
export class EventFactory {
  private readonly pools = new Map<string, EventEnvelope[]>();
  private readonly data: SyntheticData;
  private counter = 0;
  private readonly tag: string;

  constructor(private readonly ctx: ScenarioContext, name: string) {
    const seed = createHash('sha256').update(`${ctx.seed}:${name}:events`).digest().readUInt32BE(0);
    this.data = new SyntheticData(seed);
    // Readable and unique per name: names that share a prefix still get different ids.
    this.tag = `${ctx.seed.toString(36)}${name.replace(/[^A-Za-z0-9]/g, '').slice(0, 6)}${createHash('sha256').update(name).digest('hex').slice(0, 3)}`;
  }

  private pool(type: string): EventEnvelope[] {
    let p = this.pools.get(type);
    if (!p) {
      p = Array.from({ length: TEMPLATES_PER_TYPE }, () => this.data.event(type) as unknown as EventEnvelope);
      this.pools.set(type, p);
    }
    return p;
  }

  /** An id with `old`'s prefix and length, never issued before in this run. */
  freshId(old: string): string {
    const cut = old.indexOf('_');
    const prefix = cut > 0 ? old.slice(0, cut) : 'id';
    const len = Math.max(8, old.length - prefix.length - 1);
    const body = `${this.tag}Z${(++this.counter).toString(36)}`;
    return `${prefix}_${body.length >= len ? body : body.padStart(len, '0')}`;
  }

  /** A deep copy of template `index` of `type` with fresh ids, registered for ledger attribution. */
  event(type: string, index = 0): EventEnvelope {
    const pool = this.pool(type);
    const ev = structuredClone(pool[index % pool.length]!);
    ev.id = this.freshId(ev.id);
    let issued = ISSUED.get(this.ctx);
    if (!issued) ISSUED.set(this.ctx, (issued = new Set()));
    issued.add(ev.id);
    const obj = ev.data.object as Record<string, unknown>;
    for (const f of ID_FIELDS) if (typeof obj[f] === 'string') obj[f] = this.freshId(obj[f] as string);
    this.ctx.register(ev);
    return ev;
  }

  /** Another event about the same object (e.g. `refund.canceled` for a requested refund). */
  related(ev: EventEnvelope, type: string, status?: string): EventEnvelope {
    const other = this.event(type);
    other.data.object = { ...structuredClone(ev.data.object), ...(status !== undefined ? { status } : {}) };
    this.ctx.register(other);
    // The later-registered event wins attribution of shared ids: re-register the original last.
    this.ctx.register(ev);
    return other;
  }

  /** Events of the given types, template chosen by the arbitrary (shrinks to type 0, template 0). */
  arbitrary(types: readonly string[]): fc.Arbitrary<EventEnvelope> {
    return fc
      .tuple(fc.constantFrom(...types), fc.nat({ max: TEMPLATES_PER_TYPE - 1 }))
      .map(([type, i]) => {
        const ev = this.event(type, i);
        Object.defineProperty(ev, fc.toStringMethod, { value: () => `${type} #${i}`, enumerable: false });
        return ev;
      });
  }
}
