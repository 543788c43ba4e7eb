import { allLocales } from '@faker-js/faker';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CURRENCIES } from '../../../harness/data/currencies.js';
import { EVENT_CATALOG, EVENT_TYPES, validateEvent, type EventType } from '../../../harness/data/event-catalog.js';
import { SyntheticData, groupPan, type CanaryKind, type SyntheticLocale } from '../../../harness/data/synthetic.js';
import { TEST_CARDS } from '../../../harness/data/test-cards.js';
import { GauntletError } from '../../../harness/errors.js';
import { findCardNumbers } from '../../../harness/leaks/detectors/card-number.js';

const LOCALES: SyntheticLocale[] = ['en', 'de', 'fr', 'ja', 'zh_CN', 'ru', 'ar'];
const noPlanted = { plantedDigits: new Set<string>(), maxHits: 100 };

/** A fixed, mixed sequence of calls: determinism must hold for the whole sequence. */
function script(d: SyntheticData): unknown[] {
  return [
    d.customer(),
    d.payment(),
    d.event('refund.requested'),
    d.relatedRefundEvents(),
    d.payout(),
    d.event('dispute.created', { extra: { livemode: false } }),
    d.withCanaries(d.event('payment.captured'), 'pan-note'),
    d.withCanaries(d.event('payment.failed'), 'email-note'),
    d.paymentLifecycleEvents(),
    d.event('charge.succeeded'),
  ];
}

describe('SyntheticData determinism', () => {
  it('same seed and call sequence give identical output; other seeds differ', () => {
    fc.assert(
      fc.property(fc.integer(), fc.constantFrom(...LOCALES), (seed, locale) => {
        const a = JSON.stringify(script(new SyntheticData(seed, { locale })));
        const b = JSON.stringify(script(new SyntheticData(seed, { locale })));
        expect(a).toBe(b);
        expect(JSON.stringify(script(new SyntheticData(seed + 1, { locale })))).not.toBe(a);
      }),
      { numRuns: 15 },
    );
  });

  it('instances do not share random state (parallel runs cannot interfere)', () => {
    const alone = JSON.stringify(script(new SyntheticData(99)));
    const a = new SyntheticData(99);
    const b = new SyntheticData(7);
    // Interleave calls on another instance between a's calls.
    const out: unknown[] = [];
    const steps = [
      () => a.customer(),
      () => a.payment(),
      () => a.event('refund.requested'),
      () => a.relatedRefundEvents(),
      () => a.payout(),
      () => a.event('dispute.created', { extra: { livemode: false } }),
      () => a.withCanaries(a.event('payment.captured'), 'pan-note'),
      () => a.withCanaries(a.event('payment.failed'), 'email-note'),
      () => a.paymentLifecycleEvents(),
      () => a.event('charge.succeeded'),
    ];
    for (const step of steps) {
      b.event('payout.requested');
      out.push(step());
    }
    expect(JSON.stringify(out)).toBe(alone);
  });

  it('uses the injected clock for created', () => {
    const d = new SyntheticData(1, { now: () => 1_767_225_600_999 });
    expect(d.event('payment.captured').created).toBe(1_767_225_600);
    const v = new SyntheticData(1);
    expect(v.event('payment.captured').created).toBeLessThan(v.event('payment.captured').created);
  });
});

describe('generated events', () => {
  it('every type, seed and locale validates against its catalog schema, with no PAN inside', () => {
    fc.assert(
      fc.property(fc.integer(), fc.constantFrom(...LOCALES), fc.array(fc.constantFrom(...EVENT_TYPES), { minLength: 1, maxLength: 6 }), (seed, locale, types) => {
        const d = new SyntheticData(seed, { locale });
        for (const type of types) {
          const ev = d.event(type);
          const r = validateEvent(ev);
          expect(r, JSON.stringify(r)).toEqual({ valid: true, type });
          expect(EVENT_CATALOG[type].statuses).toContain(ev.data.object.status);
          const json = JSON.stringify(ev);
          expect(findCardNumbers(json, noPlanted)).toEqual([]);
          for (const c of TEST_CARDS) expect(json).not.toContain(c.pan);
          const spec = CURRENCIES[ev.data.object.currency];
          expect(ev.data.object.amount).toBeGreaterThanOrEqual(type.startsWith('refund') ? 1 : spec.minAmount);
          expect(ev.data.object.amount).toBeLessThanOrEqual(spec.maxAmount);
          for (const email of json.match(/[^"\s]+@[^"\s]+/g) ?? []) expect(email).toMatch(/^[a-z0-9.]+@example\.test$/);
          const ids = d.objectIdsOf(ev);
          expect(ids[0]).toBe(ev.data.object.id);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('every faker locale yields valid customers and events', () => {
    for (const locale of Object.keys(allLocales).filter((l) => l !== 'base') as SyntheticLocale[]) {
      const d = new SyntheticData(3, { locale });
      for (let i = 0; i < 3; i++) {
        const c = d.customer();
        expect(Object.values(c.address).every((v) => typeof v === 'string' && v.length > 0), locale).toBe(true);
        expect(c.email, locale).toMatch(/^[a-z0-9.]+@example\.test$/);
      }
      for (const type of EVENT_TYPES) expect(validateEvent(d.event(type)).valid, `${locale} ${type}`).toBe(true);
      const { event } = d.withCanaries(d.event('payment.captured'), 'email-note');
      expect(validateEvent(event).valid).toBe(true);
    }
  });

  it('ids are unique within a run', () => {
    const d = new SyntheticData(5);
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const ev = d.event(EVENT_TYPES[i % EVENT_TYPES.length]!);
      for (const id of [ev.id, ...d.objectIdsOf(ev)]) {
        if (id.startsWith('pay_') && ev.type.startsWith('refund')) continue; // refunds reference their payment
        expect(seen.has(id), id).toBe(false);
        seen.add(id);
      }
    }
  });

  it('refunds and disputes reference a real payment with the same currency, never over-refunding', () => {
    const d = new SyntheticData(8);
    for (let i = 0; i < 50; i++) {
      const p = d.payment();
      const r = d.refund(p);
      expect(r.payment).toBe(p.id);
      expect(r.currency).toBe(p.currency);
      expect(r.amount).toBeGreaterThanOrEqual(1);
      expect(r.amount).toBeLessThanOrEqual(p.amount);
      const dp = d.dispute(p);
      expect(dp.payment).toBe(p.id);
      expect(dp.amount).toBe(p.amount);
    }
  });

  it('cards are tokenized test cards: brand + last4 + token, masked BIN+last4 in the vault', () => {
    const d = new SyntheticData(11);
    for (let i = 0; i < 40; i++) {
      const p = d.payment();
      const card = p.payment_method.card;
      expect(Object.keys(card).sort()).toEqual(['brand', 'last4', 'token']);
      const v = d.tokenizedCard(card.token)!;
      expect(v.last4).toBe(card.last4);
      const source = TEST_CARDS.find((c) => c.pan.startsWith(v.bin) && c.pan.endsWith(v.last4) && c.brand === v.brand);
      expect(source).toBeDefined();
      expect(v.masked).toMatch(/^\d{6}\*+\d{4}$/);
    }
  });

  it('customers: example.test emails only, registered, names known', () => {
    const d = new SyntheticData(12, { locale: 'ja' });
    const cs = Array.from({ length: 20 }, () => d.customer());
    for (const c of cs) {
      expect(c.id).toMatch(/^cus_[A-Za-z0-9]{20}$/);
      expect(c.email).toMatch(/^[a-z0-9.]+@example\.test$/);
      expect(d.customerById(c.id)).toEqual(c);
      expect(c.name.length).toBeGreaterThan(0);
    }
    expect(d.knownNames()).toEqual(cs.map((c) => c.name));
    expect(new Set(d.generatedEmails()).size).toBe(20);
  });

  it('overrides: object fields, id, created and extra', () => {
    const d = new SyntheticData(13);
    const ev = d.event('refund.requested', { object: { status: 'pending', amount: 5 }, id: 'evt_fixed', created: 42, extra: { livemode: true } });
    expect(ev.data.object.status).toBe('pending');
    expect(ev.data.object.amount).toBe(5);
    expect(ev.id).toBe('evt_fixed');
    expect(ev.created).toBe(42);
    expect(ev['livemode']).toBe(true);
    expect(validateEvent(ev).valid).toBe(true);
  });

  it('unknown types still give a well-formed envelope (for unknown-type scenarios)', () => {
    const d = new SyntheticData(14);
    const ev = d.event('refund.updated');
    expect(ev.type).toBe('refund.updated');
    expect(ev.data.object['object']).toBe('refund');
    expect(d.event('charge.succeeded').data.object['object']).toBe('payment');
    expect(validateEvent(ev)).toMatchObject({ valid: false, unknownType: true });
  });

  it('rejects bad seeds and locales with coded errors', () => {
    expect(() => new SyntheticData(1.5)).toThrow(GauntletError);
    expect(() => new SyntheticData(1, { locale: 'xx' as SyntheticLocale })).toThrow(/unknown data locale/);
    expect(() => new SyntheticData(1, { locale: 'base' as SyntheticLocale })).toThrow(GauntletError);
  });
});

describe('related events', () => {
  it('refund.requested / refund.canceled share the refund id', () => {
    const d = new SyntheticData(21);
    const { refund, requested, canceled } = d.relatedRefundEvents({ requestedStatus: 'pending' });
    expect(requested.data.object.id).toBe(refund.id);
    expect(canceled.data.object.id).toBe(refund.id);
    expect(requested.id).not.toBe(canceled.id);
    expect(requested.data.object.status).toBe('pending');
    expect(canceled.data.object.status).toBe('canceled');
    expect(validateEvent(requested).valid && validateEvent(canceled).valid).toBe(true);
    // The events do not alias each other or the returned object.
    (canceled.data.object as { amount: number }).amount = 1;
    expect(requested.data.object.amount).toBe(refund.amount);
  });

  it('relatedEvents keeps one object across types and refuses mixed kinds', () => {
    const d = new SyntheticData(22);
    const { object, events } = d.relatedEvents(['refund.requested', 'refund.succeeded', 'refund.canceled']);
    expect(events.map((e) => e.data.object.id)).toEqual([object.id, object.id, object.id]);
    expect(events.map((e) => e.data.object.status)).toEqual(['requested', 'succeeded', 'canceled']);
    for (const e of events) expect(validateEvent(e).valid).toBe(true);
    expect(() => d.relatedEvents(['refund.requested', 'payment.captured'])).toThrow(GauntletError);
    expect(() => d.relatedEvents([])).toThrow(GauntletError);
    expect(() => d.relatedEvents(['nope' as EventType])).toThrow(GauntletError);
    const { authorized, captured } = d.paymentLifecycleEvents();
    expect(authorized.data.object.id).toBe(captured.data.object.id);
    const { requested, succeeded } = d.refundLifecycleEvents();
    expect(requested.data.object.id).toBe(succeeded.data.object.id);
  });
});

describe('canaries', () => {
  it.each(['email-note', 'pan-note', 'name-note'] as CanaryKind[])('%s plants values in metadata.note and keeps the event valid', (kind) => {
    const d = new SyntheticData(31);
    const ev = d.event('refund.requested');
    const before = JSON.stringify(ev);
    const { event, planted, pointer } = d.withCanaries(ev, kind);
    expect(JSON.stringify(ev)).toBe(before); // input untouched
    expect(pointer).toBe('/data/object/metadata/note');
    const note = (event.data.object as unknown as { metadata: { note: string } }).metadata.note;
    expect(planted.length).toBeGreaterThan(0);
    expect(planted.some((p) => note.includes(p))).toBe(true);
    expect(validateEvent(event).valid).toBe(true);
    expect(d.plantedValues()).toEqual(planted);
    const cards = findCardNumbers(JSON.stringify(event), noPlanted);
    expect(cards.length).toBe(kind === 'pan-note' ? 1 : 0);
  });

  it('pan canaries are spaced Luhn-valid test cards', () => {
    const d = new SyntheticData(32);
    for (let i = 0; i < 20; i++) {
      const { planted } = d.withCanaries(d.event('payment.captured'), 'pan-note');
      expect(TEST_CARDS.map((c) => c.pan)).toContain(planted[0]);
      expect(planted[1]).toBe(groupPan(planted[0]!));
      expect(planted[1]).toContain(' ');
    }
  });

  it('works on mutated envelopes without data', () => {
    const d = new SyntheticData(33);
    const { event } = d.withCanaries({ id: 'evt_x', type: 'x', api_version: 'v', created: 0, data: 'oops' } as never, 'email-note');
    expect((event as any).data.object.metadata.note).toMatch(/@example\.test/);
  });
});

describe('groupPan', () => {
  it('groups like printed cards', () => {
    expect(groupPan('4242424242424242')).toBe('4242 4242 4242 4242');
    expect(groupPan('378282246310005')).toBe('3782 822463 10005');
    expect(groupPan('36227206271667')).toBe('3622 720627 1667');
    expect(groupPan('4222222222222')).toBe('4222 2222 2222 2');
  });
});
