import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GauntletError } from '../../../harness/errors.js';
import { expandEnv, tokenizeEnvTemplate } from '../../../harness/manifest/env-expand.js';

const HARNESS = { WEBHOOK_SECRET: 'whsec_abc', HUB_API_URL: 'http://127.0.0.1:4010', PORT: '8080' };

function expandError(template: Record<string, string>, env: Record<string, string> = HARNESS): GauntletError {
  try {
    expandEnv(template, env);
  } catch (e) {
    expect(e).toBeInstanceOf(GauntletError);
    return e as GauntletError;
  }
  throw new Error('expected expandEnv to throw');
}

describe('expandEnv', () => {
  it('expands references and leaves other text alone', () => {
    expect(
      expandEnv(
        { STRIPE_WEBHOOK_SECRET: '${WEBHOOK_SECRET}', API_BASE: '${HUB_API_URL}/v1', MIX: 'a${PORT}b${PORT}', PLAIN: 'cost $5 and $ {x}', EMPTY: '' },
        HARNESS,
      ),
    ).toEqual({ STRIPE_WEBHOOK_SECRET: 'whsec_abc', API_BASE: 'http://127.0.0.1:4010/v1', MIX: 'a8080b8080', PLAIN: 'cost $5 and $ {x}', EMPTY: '' });
  });

  it('treats $${ as a literal ${', () => {
    // Scanning is left to right: in "$$${PORT}" the first "$" is literal and "$${" is the escape.
    expect(expandEnv({ A: '$${WEBHOOK_SECRET}', B: '$$${PORT}', C: '$$PORT' }, HARNESS)).toEqual({ A: '${WEBHOOK_SECRET}', B: '$${PORT}', C: '$$PORT' });
  });

  it('names run.env.X and the unknown variable, for every bad entry at once', () => {
    const err = expandError({ A: '${WEBHOOK_SECRT}', B: 'ok', C: '${NOPE} ${ALSO_NOPE}' });
    expect(err.code).toBe('GAUNTLET_ERR_MANIFEST_INVALID');
    expect(err.problems.map((p) => p.path)).toEqual(['run.env.A', 'run.env.C', 'run.env.C']);
    expect(err.problems[0]!.reason).toMatch(/unknown variable \$\{WEBHOOK_SECRT\}.*WEBHOOK_SECRET/);
    expect(err.problems[2]!.reason).toMatch(/ALSO_NOPE/);
  });

  it('does not resolve names from Object.prototype', () => {
    const err = expandError({ A: '${constructor}', B: '${toString}', C: '${__proto__}' });
    expect(err.problems.map((p) => p.path)).toEqual(['run.env.A', 'run.env.B', 'run.env.C']);
  });

  it('reports malformed references', () => {
    expect(expandError({ A: '${WEBHOOK_SECRET' }).problems[0]!.reason).toMatch(/unterminated/);
    expect(expandError({ A: '${1X}' }).problems[0]!.reason).toMatch(/not a variable reference/);
    expect(expandError({ A: '${}' }).problems[0]!.reason).toMatch(/not a variable reference/);
  });

  it('never lets a __proto__ key reach a prototype', () => {
    const template = JSON.parse('{"__proto__": "x", "A": "b"}') as Record<string, string>;
    const out = expandEnv(template, HARNESS);
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });

  it('escaping then expanding gives back any text (property)', () => {
    // Escape every "${" as "$${": expansion must return the original string untouched.
    fc.assert(
      fc.property(fc.string({ maxLength: 40, unit: fc.constantFrom('$', '{', '}', 'a', 'B', '_', ' ', '1') }), (text) => {
        const escaped = text.replace(/\$\{/g, () => '$${');
        expect(tokenizeEnvTemplate(escaped).ok).toBe(true);
        expect(expandEnv({ X: escaped }, {})).toEqual({ X: text });
      }),
      { numRuns: 1000 },
    );
  });

  it('substitutes exactly the referenced values (property)', () => {
    const name = fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,8}$/);
    fc.assert(
      fc.property(fc.dictionary(name, fc.string({ maxLength: 10 }), { minKeys: 1, maxKeys: 5 }), fc.array(fc.oneof(fc.stringMatching(/^[a-z ./:-]{0,5}$/), fc.nat()), { maxLength: 6 }), (env, parts) => {
        const names = Object.keys(env);
        const template = parts.map((p) => (typeof p === 'number' ? `\${${names[p % names.length]}}` : p)).join('');
        const expected = parts.map((p) => (typeof p === 'number' ? env[names[p % names.length]!] : p)).join('');
        expect(expandEnv({ V: template }, env)).toEqual({ V: expected });
      }),
      { numRuns: 500 },
    );
  });
});
