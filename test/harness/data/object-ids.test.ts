import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { objectIdsOf } from '../../../harness/data/object-ids.js';

describe('objectIdsOf', () => {
  it('lists object ids, data.object.id first, without duplicates', () => {
    const ev = {
      id: 'evt_top',
      data: { object: { customer: { id: 'cus_1' }, payment: 'pay_1', id: 're_1', list: ['pay_1', 'dp_2', 'po_3', 'tok_9', 'nope_1', 'evt_7'], x: 'pay_bad-id' } },
    };
    expect(objectIdsOf(ev)).toEqual(['re_1', 'cus_1', 'pay_1', 'dp_2', 'po_3', 'evt_7']);
  });

  it('tolerates any input, cycles and deep nesting included', () => {
    const cyclic: Record<string, unknown> = { id: 'pay_1' };
    cyclic['self'] = cyclic;
    expect(objectIdsOf({ data: { object: cyclic } })).toEqual(['pay_1']);
    let deep: unknown = 'pay_deep';
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(objectIdsOf({ data: { object: { id: 're_1', deep } } })).toEqual(['re_1']);
    fc.assert(fc.property(fc.anything(), (v) => Array.isArray(objectIdsOf(v))));
    fc.assert(fc.property(fc.anything(), (v) => Array.isArray(objectIdsOf({ data: { object: v } }))));
  });
});
