import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GauntletError } from '../../../harness/errors.js';
import { EFFECT_METHODS, matchPath, parseEffectCall, tryParseEffectCall } from '../../../harness/manifest/effects.js';

describe('parseEffectCall', () => {
  it('parses the contract forms', () => {
    expect(parseEffectCall('acquirer POST /v1/refunds')).toEqual({ target: 'acquirer', method: 'POST', path: '/v1/refunds' });
    expect(parseEffectCall('POST /v1/payments/{id}/risk_assessments')).toEqual({ target: 'hub', method: 'POST', path: '/v1/payments/{id}/risk_assessments' });
    expect(parseEffectCall('  hub   get   /v1/customers/{customer_id}  ')).toEqual({ target: 'hub', method: 'GET', path: '/v1/customers/{customer_id}' });
    expect(parseEffectCall('Acquirer delete /')).toEqual({ target: 'acquirer', method: 'DELETE', path: '/' });
  });

  it.each([
    ['', /must be "\[hub\|acquirer\] METHOD PATH"/],
    ['POST', /must be "\[hub\|acquirer\] METHOD PATH"/],
    ['hub POST /a extra', /must be "\[hub\|acquirer\] METHOD PATH"/],
    ['bank POST /v1/x', /target must be "hub" or "acquirer"/],
    ['hub FETCH /v1/x', /method must be one of GET, POST, PUT, PATCH, DELETE/],
    ['POST v1/x', /must start with "\/"/],
    ['POST /v1//x', /empty segments/],
    ['POST /v1/x/', /trailing/],
    ['POST /v1/x?y=1', /query string/],
    ['POST /v1/{id}/{id}', /appears twice/],
    ['POST /v1/pay_{id}', /whole segment/],
    ['POST /v1/{}', /whole segment/],
    ['POST /v1/{1d}', /whole segment/],
    ['POST /v1/a"b', /not allowed/],
  ])('rejects %j', (call, reason) => {
    const r = tryParseEffectCall(call);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
    expect(() => parseEffectCall(call)).toThrow(GauntletError);
  });

  const segment = fc.oneof(
    fc.stringMatching(/^[A-Za-z0-9._~-]{1,8}$/).map((s) => ({ text: s, param: undefined as string | undefined })),
    fc.stringMatching(/^[a-z_][a-z0-9_]{0,6}$/).map((n) => ({ text: `{${n}}`, param: n })),
  );
  const template = fc
    .array(segment, { minLength: 1, maxLength: 6 })
    .filter((segs) => {
      const names = segs.flatMap((s) => (s.param ? [s.param] : []));
      return new Set(names).size === names.length;
    });

  it('round-trips any well-formed call (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom('', 'hub ', 'acquirer '), fc.constantFrom(...EFFECT_METHODS), template, (target, method, segs) => {
        const p = `/${segs.map((s) => s.text).join('/')}`;
        const parsed = parseEffectCall(`${target}${method.toLowerCase()} ${p}`);
        expect(parsed).toEqual({ target: target.trim() || 'hub', method, path: p });
      }),
      { numRuns: 500 },
    );
  });

  it('never throws anything but a GauntletError (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        const r = tryParseEffectCall(s);
        if (r.ok) {
          expect(r.value.path.startsWith('/')).toBe(true);
          expect(EFFECT_METHODS).toContain(r.value.method);
        } else {
          expect(() => parseEffectCall(s)).toThrow(GauntletError);
        }
      }),
      { numRuns: 1000 },
    );
  });

  describe('matchPath', () => {
    it('matches one segment per placeholder, exact otherwise, ignoring the query', () => {
      expect(matchPath('/v1/payments/{id}/risk_assessments', '/v1/payments/pay_1/risk_assessments?x=1#f')).toEqual({ id: 'pay_1' });
      expect(matchPath('/v1/refunds', '/v1/refunds')).toEqual({});
      expect(matchPath('/v1/refunds', '/v1/refunds/')).toBeNull();
      expect(matchPath('/v1/refunds', '/V1/refunds')).toBeNull();
      expect(matchPath('/v1/payments/{id}', '/v1/payments/a/b')).toBeNull();
      expect(matchPath('/v1/payments/{id}', '/v1/payments/')).toBeNull();
      expect(matchPath('/v1/payments/{id}', '/v1/payments/a%2Fb')).toEqual({ id: 'a%2Fb' });
      expect(matchPath('/{a}/{b}', '/x/y')).toEqual({ a: 'x', b: 'y' });
    });

    it('keeps a __proto__ parameter as an own property', () => {
      const m = matchPath('/x/{__proto__}', '/x/polluted');
      expect(m && Object.hasOwn(m, '__proto__')).toBe(true);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    const value = fc.stringMatching(/^[A-Za-z0-9._~%-]{1,10}$/);
    it('matches the path built from a template and returns the values (property)', () => {
      fc.assert(
        fc.property(template, fc.array(value, { minLength: 6, maxLength: 6 }), fc.option(fc.string({ maxLength: 10 })), (segs, values, query) => {
          const t = `/${segs.map((s) => s.text).join('/')}`;
          const concrete = `/${segs.map((s, i) => (s.param ? values[i]! : s.text)).join('/')}${query === null ? '' : `?${query}`}`;
          const expected = Object.fromEntries(segs.flatMap((s, i) => (s.param ? [[s.param, values[i]!]] : [])));
          expect(matchPath(t, concrete)).toEqual(expected);
        }),
        { numRuns: 500 },
      );
    });

    it('does not match when a segment is added, removed or a literal changed (property)', () => {
      fc.assert(
        fc.property(template, value, fc.nat(), (segs, extra, pick) => {
          const t = `/${segs.map((s) => s.text).join('/')}`;
          const concrete = segs.map((s) => (s.param ? 'v' : s.text));
          expect(matchPath(t, `/${[...concrete, extra].join('/')}`)).toBeNull();
          if (concrete.length > 1) expect(matchPath(t, `/${concrete.slice(1).join('/')}`)).toBeNull();
          const literals = segs.map((s, i) => (s.param ? -1 : i)).filter((i) => i >= 0);
          if (literals.length > 0) {
            const i = literals[pick % literals.length]!;
            const changed = [...concrete];
            changed[i] = `${changed[i]}x`;
            expect(matchPath(t, `/${changed.join('/')}`)).toBeNull();
          }
        }),
        { numRuns: 500 },
      );
    });
  });
});
