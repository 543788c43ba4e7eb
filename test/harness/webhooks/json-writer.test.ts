import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { writeJson } from '../../../harness/webhooks/json-writer.js';

describe('writeJson', () => {
  it('with no style writes exactly what JSON.stringify writes', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => {
        expect(writeJson(v)).toBe(JSON.stringify(v));
      }), { numRuns: 300 });
  });

  it('every style decodes to the same value', () => {
    const style = fc.record({
      indent: fc.constantFrom('', ' ', '\t', '  '),
      newline: fc.constantFrom<'\n' | '\r\n'>('\n', '\r\n'),
      colon: fc.constantFrom(':', ': ', ' : ', '\t:\t'),
      gapSeed: fc.nat({ max: 7 }),
      reverse: fc.boolean(),
      escapeMod: fc.integer({ min: 1, max: 4 }),
      escapeSlash: fc.boolean(),
      integerForm: fc.constantFrom<'plain' | 'decimal' | 'exponent'>('plain', 'decimal', 'exponent'),
      leading: fc.constantFrom('', ' ', '\r\n'),
      trailing: fc.constantFrom('', '\n', ' \t'),
    });
    fc.assert(
      fc.property(fc.jsonValue(), style, (v, s) => {
        const text = writeJson(v, {
          ...s,
          gap: (i) => ((i + s.gapSeed) % 3 === 0 ? ' \n' : ''),
          keyOrder: s.reverse ? (k) => [...k].reverse() : undefined,
          escape: (cp) => cp % s.escapeMod === 0,
        });
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(v)));
      }),
      { numRuns: 300 },
    );
  });

  it('spells the RW-01/RW-02 escapes as documented', () => {
    expect(writeJson({ a: 'x/é' }, { escapeSlash: true, escape: (cp) => cp > 0x7e })).toBe('{"a":"x\\/\\u00e9"}');
    expect(writeJson('\u2028😀&', { escape: () => true })).toBe('"\\u2028\\ud83d\\ude00\\u0026"');
    expect(writeJson({ n: 1999, f: 1.5 }, { integerForm: 'decimal' })).toBe('{"n":1999.0,"f":1.5}');
    expect(writeJson({ b: 1, a: [] }, { indent: '  ', trailing: '\n' })).toBe('{\n  "b": 1,\n  "a": []\n}\n');
  });
});
