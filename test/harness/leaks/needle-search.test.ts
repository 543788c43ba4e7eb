import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NeedleSearch } from '../../../harness/leaks/needle-search.js';

function naive(text: string, needles: string[]): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  needles.forEach((n, k) => {
    if (!n) return;
    for (let i = text.indexOf(n); i !== -1; i = text.indexOf(n, i + 1)) out.push([i, i + n.length, k]);
  });
  return out.sort((a, b) => a[0] - b[0] || a[2] - b[2]);
}

describe('NeedleSearch', () => {
  it('finds exactly what indexOf finds, overlaps included', () => {
    const alphabet = fc.constantFrom(...'ab\u00e9\ud83d\ude00');
    fc.assert(
      fc.property(fc.array(fc.string({ unit: alphabet, minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 8 }), fc.string({ unit: alphabet, maxLength: 80 }), (needles, text) => {
        const unique = [...new Set(needles)];
        const s = new NeedleSearch(unique.map((t, k) => ({ text: t, value: k })));
        const got = s.findAll(text).map((m) => [m.start, m.end, m.value] as [number, number, number]).sort((a, b) => a[0] - b[0] || a[2] - b[2]);
        expect(got).toEqual(naive(text, unique));
      }),
      { numRuns: 300 },
    );
  });

  it('handles needles longer than the hashed prefix and sharing it', () => {
    const s = new NeedleSearch([
      { text: 'prefix-01-long-tail', value: 'a' },
      { text: 'prefix-01-other', value: 'b' },
      { text: 'prefix-0', value: 'c' },
    ]);
    expect(s.findAll('xx prefix-01-other prefix-01-long-tail').map((m) => `${m.start}:${m.value}`).sort()).toEqual(['19:a', '19:c', '3:b', '3:c']);
    expect(s.findAll('prefix-0 '.repeat(10), 3)).toHaveLength(3);
    expect(new NeedleSearch([]).findAll('anything')).toEqual([]);
    expect(new NeedleSearch([{ text: '', value: 1 }]).size).toBe(0);
  });
});
