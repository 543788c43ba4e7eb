import { describe, expect, it } from 'vitest';
import { SyntheticData } from '../../../harness/data/synthetic.js';
import { GauntletError } from '../../../harness/errors.js';
import { defineDetector, leakDetector, leakDetectors } from '../../../harness/leaks/define-detector.js';
import { scanForLeaks, type LeakFinding } from '../../../harness/leaks/scan.js';
import type { LeakContext } from '../../../harness/leaks/types.js';

const empty: LeakContext = { secrets: [], plantedValues: [] };
const scan = (text: string, ctx: LeakContext = empty) => scanForLeaks([{ where: 'stdout', text }], ctx);
const kinds = (fs: LeakFinding[]) => fs.map((f) => f.kind);

describe('built-in detectors', () => {
  it('are all registered with a control from clause 10', () => {
    expect(leakDetectors().map((d) => d.id)).toEqual(expect.arrayContaining(['secret', 'card-number', 'cvv', 'card-token', 'customer-email', 'customer-name', 'planted-value']));
    expect(leakDetector('secret')!.control).toBe('no-secret-leak');
    for (const d of leakDetectors().filter((x) => x.id !== 'secret')) expect(d.control).toBe('no-sensitive-data-leak');
  });
});

describe('cvv', () => {
  it.each([
    ['{"cvc": "123"}', '{"cvc": "***"}'],
    ['{"cvv":4567}', '{"cvv":***}'],
    ['cvv2=987&x=1', 'cvv2=***&x=1'],
    ['CVC 321 given', 'CVC *** given'],
    ['security_code: 1234', 'security_code: ***'],
    ['{\\"card_verification_value\\":\\"555\\"}', '…_verification_value\\":\\"***\\"}'],
  ])('finds %s', (text, excerpt) => {
    const fs = scan(text).filter((f) => f.kind === 'cvv');
    expect(fs).toHaveLength(1);
    expect(fs[0]!.excerpt).toBe(excerpt);
  });

  it.each(['{"cvc_check": "pass"}', 'status 200 in 123ms', 'cvc: 12', 'cvv=12345', 'abccvc 123', '"cvc": null'])('ignores %s', (text) => {
    expect(kinds(scan(text))).not.toContain('cvv');
  });
});

describe('customer-email', () => {
  it('finds any example.test address, URL-encoded too, and masks it', () => {
    const fs = scan('to=jane.doe.x7@example.test cc=bob%40example.test ok');
    expect(fs.filter((f) => f.kind === 'customer-email')).toHaveLength(2);
    expect(fs[0]!.excerpt).toContain('j***@example.test');
    expect(fs.map((f) => f.excerpt).join(' ')).not.toMatch(/jane|bob/);
    expect(kinds(scan('MAIL=Jane@EXAMPLE.TEST'))).toContain('customer-email');
  });

  it('skips allowed addresses and other domains', () => {
    expect(scan('owner payments-security@example.test', { ...empty, allowedEmails: ['Payments-Security@example.test'] })).toEqual([]);
    expect(scan('a@example.com b@example.testing.org registry.example.test/acme @example.test')).toEqual([]);
  });
});

describe('customer-name', () => {
  it('finds known full names raw, JSON-escaped and URL-encoded', () => {
    const ctx = { ...empty, knownNames: ['Aaliyah Diezel', '佳奈 田代', 'Al'] };
    for (const text of ['hello Aaliyah Diezel!', '{"n":"\\u4f73\\u5948 \\u7530\\u4ee3"}', 'q=Aaliyah+Diezel', 'q=Aaliyah%20Diezel', 'name 佳奈 田代']) {
      const fs = scan(text, ctx);
      expect(kinds(fs), text).toEqual(['customer-name']);
      expect(fs[0]!.excerpt).toContain('[customer-name]');
    }
    expect(scan('Al said Aaliyah', ctx)).toEqual([]);
  });
});

describe('card-token', () => {
  it('finds tok_ tokens and keeps only the last 4', () => {
    const fs = scan('charging tok_XG3jAeXWQtQ8jsJu8lki now');
    expect(kinds(fs)).toEqual(['card-token']);
    expect(fs[0]!.excerpt).toBe('charging tok_****8lki now');
    expect(scan('stock_level=tok_short my_tok_XG3jAeXWQtQ8jsJu8lki')).toEqual([]);
  });
});

describe('planted-value', () => {
  it('finds canaries no other detector covers, and leaves PANs/emails/names to theirs', () => {
    const data = new SyntheticData(3);
    const pan = data.withCanaries(data.event('payment.captured'), 'pan-note');
    const email = data.withCanaries(data.event('payment.captured'), 'email-note');
    const name = data.withCanaries(data.event('payment.captured'), 'name-note');
    const ctx: LeakContext = { secrets: [], plantedValues: [...data.plantedValues(), 'ACME-CANARY-7731'], knownNames: data.knownNames() };
    const fs = scan([pan, email, name].map((c) => JSON.stringify(c.event)).join('\n') + '\nextra ACME-CANARY-7731', ctx);
    const found = new Set(kinds(fs));
    expect(found).toEqual(new Set(['card-number', 'customer-email', 'customer-name', 'card-token', 'planted-value']));
    expect(fs.filter((f) => f.kind === 'planted-value')).toHaveLength(1);
    for (const f of fs) for (const v of ctx.plantedValues) expect(f.excerpt).not.toContain(v);
  });
});

describe('defineDetector', () => {
  it('registers custom detectors that scanForLeaks then runs', () => {
    defineDetector({
      id: 'test-iban-like',
      control: 'no-sensitive-data-leak',
      description: 'test only',
      scan: (text) => [...text.matchAll(/DE\d{20}/g)].map((m) => ({ start: m.index, end: m.index + m[0].length, mask: '[iban]' })),
    });
    const fs = scanForLeaks([{ where: 'stdout', text: 'pay to DE89370400440532013000 now' }], empty, { detectors: ['test-iban-like'] });
    expect(fs).toEqual([{ kind: 'test-iban-like', control: 'no-sensitive-data-leak', where: 'stdout', excerpt: 'pay to [iban] now', detector: 'test-iban-like' }]);
  });

  it('rejects bad definitions with a coded error naming the field', () => {
    const ok = { id: 'x-ok', control: 'no-secret-leak' as const, description: '', scan: () => [] };
    expect(() => defineDetector({ ...ok, id: 'Bad_Id' })).toThrow(GauntletError);
    expect(() => defineDetector({ ...ok, id: 'x-bad-control', control: 'nope' as never })).toThrow(/invalid/);
    expect(() => defineDetector({ ...ok, id: 'secret' })).toThrow(GauntletError);
    try {
      defineDetector({ ...ok, id: 'card-number' });
    } catch (e) {
      expect((e as GauntletError).code).toBe('GAUNTLET_ERR_CATALOG_INVALID');
      expect((e as GauntletError).problems[0]!.reason).toMatch(/duplicate/);
    }
    expect(() => scanForLeaks([], empty, { detectors: ['no-such-detector'] })).toThrow(/unknown detector/);
  });
});
