import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { hostileString } from './hostile.js';
import { escapeHtml, escapeXml, escapeXmlAttribute, jsonForHtmlScript, sanitizeForTerminal, terminalLine, truncate } from '../../reports/escape.js';

const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const XML_INVALID_CHAR = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/;

describe('sanitizeForTerminal', () => {
  it('shows escape sequences and controls visibly, keeps newlines and tabs', () => {
    expect(sanitizeForTerminal('a\u001b[2Jb\u0000c\rd\n\te\u009bf\u202eg')).toBe('a\\x1b[2Jb\\x00c\\rd\n\te\\x9bf\\u202eg');
    expect(sanitizeForTerminal('caf\u00e9 😀')).toBe('caf\u00e9 😀');
  });

  it('property: no raw control character or lone surrogate survives; ordinary text is unchanged', () => {
    fc.assert(
      fc.property(hostileString, (s) => {
        const out = sanitizeForTerminal(s);
        expect(out.replace(/[\n]/g, '')).not.toMatch(RAW_CONTROL);
        expect(out).not.toMatch(LONE_SURROGATE);
        expect(out).not.toContain('\u001b');
        if (!RAW_CONTROL.test(s) && !LONE_SURROGATE.test(s) && !/[\r\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/.test(s)) expect(out).toBe(s);
      }),
    );
  });

  it('terminalLine keeps to one line', () => {
    expect(terminalLine('a\nb\r\nc\td', 100)).toBe('a ↵ b ↵ c d');
  });
});

describe('truncate', () => {
  it('marks how many characters were cut', () => {
    expect(truncate('x'.repeat(100), 30)).toBe('x'.repeat(18) + '…[+82 chars]');
    expect(truncate('short', 30)).toBe('short');
    expect(truncate('ab😀cd', 3 + 12)).toBe('ab😀cd');
    const t = truncate('x'.repeat(1_000_000), 50);
    expect(t.length).toBeLessThanOrEqual(50);
    expect(t).toMatch(/^x+…\[\+(\d+) chars\]$/);
    const cut = Number(/\+(\d+)/.exec(t)![1]);
    expect(t.indexOf('…') + cut).toBe(1_000_000);
  });

  it('property: within the limit, a prefix of the input, cut count exact, no split surrogate pair', () => {
    fc.assert(
      fc.property(hostileString, fc.oneof(fc.integer({ min: -5, max: 80 }), fc.constant(Number.NaN), fc.constant(Infinity)), (s, max) => {
        const out = truncate(s, max);
        if (Number.isFinite(max) && s.length > Math.max(0, max)) {
          const m = /…\[\+(\d+) chars\]$/.exec(out);
          expect(m).not.toBeNull();
          const kept = out.length - m![0].length;
          expect(kept + Number(m![1])).toBe(s.length);
          expect(s.startsWith(out.slice(0, kept))).toBe(true);
          if (max >= 20) expect(out.length).toBeLessThanOrEqual(max);
          if (kept > 0) expect(out.charCodeAt(kept - 1) >= 0xd800 && out.charCodeAt(kept - 1) <= 0xdbff && s.charCodeAt(kept) >= 0xdc00 && s.charCodeAt(kept) <= 0xdfff).toBe(false);
        } else if (!Number.isNaN(max)) {
          expect(out).toBe(s);
        }
      }),
    );
  });
});

describe('escapeXml', () => {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', processEntities: true, htmlEntities: true, parseTagValue: false, trimValues: false });

  it('property: element and attribute built from any string parse, and hold no invalid XML characters', () => {
    fc.assert(
      fc.property(hostileString, (s) => {
        const doc = `<?xml version="1.0" encoding="UTF-8"?><r a="${escapeXmlAttribute(s)}">${escapeXml(s)}</r>`;
        expect(XMLValidator.validate(doc)).toBe(true);
        expect(doc).not.toMatch(XML_INVALID_CHAR);
        expect(doc).not.toMatch(LONE_SURROGATE);
        expect(doc.slice(doc.indexOf('<r'))).not.toContain(']]>');
        parser.parse(doc);
      }),
    );
  });

  it('property: text made only of valid XML characters round-trips through a parser', () => {
    const safe = fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => s.replace(/[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffe\uffff]/g, ''));
    fc.assert(
      fc.property(safe, fc.constantFrom('<', '&', '"', "'", '>', ']]>', ''), (s, special) => {
        const text = `${special}${s}${special}`;
        const doc = `<r a="${escapeXmlAttribute(text)}">${escapeXml(text)}</r>`;
        const parsed = parser.parse(doc) as { r: { '#text'?: string; '@a': string } | string };
        const r = parsed.r;
        const body = typeof r === 'string' ? r : (r['#text'] ?? '');
        const attr = typeof r === 'string' ? '' : r['@a'];
        expect(body).toBe(text);
        expect(attr).toBe(text);
      }),
    );
  });
});

describe('escapeHtml and jsonForHtmlScript', () => {
  it('property: no markup characters or raw controls in escaped HTML', () => {
    fc.assert(
      fc.property(hostileString, (s) => {
        const out = escapeHtml(s);
        expect(out).not.toMatch(/[<>"']/);
        expect(out).not.toMatch(/[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]/);
        expect(out).not.toMatch(LONE_SURROGATE);
      }),
    );
  });

  it('property: embedded JSON cannot close the script element and parses back to the same value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), hostileString, (v, s) => {
        const value = { v, s };
        const out = jsonForHtmlScript(value);
        expect(out.toLowerCase()).not.toContain('</script');
        expect(out).not.toContain('<!--');
        expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });
});
