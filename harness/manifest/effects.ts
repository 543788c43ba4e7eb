/**
 * The `effects[].call` mini-language (`[hub|acquirer] METHOD PATH`) and the path
 * templates it carries. The oracle matches ledger entries against these templates,
 * so parsing is strict: a template that cannot match anything is a manifest error,
 * not a silently dead rule.
 */
import { GauntletError } from '../errors.js';
import type { EffectTarget } from './types.js';

export const EFFECT_TARGETS = ['hub', 'acquirer'] as const satisfies readonly EffectTarget[];
export const EFFECT_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type EffectMethod = (typeof EFFECT_METHODS)[number];

export interface EffectCall {
  target: EffectTarget;
  method: EffectMethod;
  /** Path template, e.g. `/v1/payments/{id}/risk_assessments`. */
  path: string;
}

/** Characters allowed in a literal path segment (RFC 3986 unreserved plus a few sub-delims and `%`). */
const LITERAL_SEGMENT = /^[A-Za-z0-9._~!$&'()*+,;=:@%-]+$/;
const PARAM_SEGMENT = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/;
const MAX_CALL_LENGTH = 2048;

/** JSON-quotes text for a message; also escapes U+2028/2029 and bidi controls, which JSON leaves raw. */
function quote(s: string, max = 80): string {
  const t = s.length > max ? `${s.slice(0, max)}…` : s;
  return JSON.stringify(t).replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export type EffectCallResult = { ok: true; value: EffectCall } | { ok: false; reason: string };

/** Non-throwing variant used by the manifest loader, which collects every problem. */
export function tryParseEffectCall(call: string): EffectCallResult {
  if (typeof call !== 'string') return { ok: false, reason: 'must be a string like "acquirer POST /v1/refunds"' };
  if (call.length > MAX_CALL_LENGTH) return { ok: false, reason: `must be at most ${MAX_CALL_LENGTH} characters` };
  const words = call.trim().split(/\s+/).filter((w) => w.length > 0);
  const shown = quote(call);
  if (words.length < 2 || words.length > 3) {
    return { ok: false, reason: `must be "[hub|acquirer] METHOD PATH", e.g. "acquirer POST /v1/refunds" (got ${shown})` };
  }
  let target: EffectTarget = 'hub';
  if (words.length === 3) {
    const t = words[0]!.toLowerCase();
    if (t !== 'hub' && t !== 'acquirer') {
      return { ok: false, reason: `target must be "hub" or "acquirer" (got ${quote(words[0]!)} in ${shown})` };
    }
    target = t;
  }
  const methodWord = words[words.length - 2]!;
  const method = methodWord.toUpperCase();
  if (!(EFFECT_METHODS as readonly string[]).includes(method)) {
    return { ok: false, reason: `method must be one of ${EFFECT_METHODS.join(', ')} (got ${quote(methodWord)} in ${shown})` };
  }
  const path = words[words.length - 1]!;
  const pathProblem = checkPathTemplate(path);
  if (pathProblem) return { ok: false, reason: `${pathProblem} (in ${shown})` };
  return { ok: true, value: { target, method: method as EffectMethod, path } };
}

/**
 * Parses `[hub|acquirer] METHOD PATH`; the target defaults to `hub`, the method is
 * case-insensitive and returned upper-case.
 * @example parseEffectCall('acquirer POST /v1/refunds') // { target: 'acquirer', method: 'POST', path: '/v1/refunds' }
 * @throws GauntletError GAUNTLET_ERR_MANIFEST_INVALID when the text is not a valid call.
 */
export function parseEffectCall(call: string): EffectCall {
  const r = tryParseEffectCall(call);
  if (!r.ok) throw new GauntletError('GAUNTLET_ERR_MANIFEST_INVALID', `invalid effect call: ${r.reason}`, { problems: [{ path: 'call', reason: r.reason }] });
  return r.value;
}

function checkPathTemplate(path: string): string | undefined {
  const shown = quote(path);
  if (!path.startsWith('/')) return `path must start with "/" (got ${shown})`;
  if (path.includes('?') || path.includes('#')) return `path must not contain a query string or fragment (got ${shown})`;
  if (path === '/') return undefined;
  const segments = path.slice(1).split('/');
  const names = new Set<string>();
  for (const seg of segments) {
    if (seg === '') return `path must not contain empty segments or a trailing "/" (got ${shown})`;
    const param = PARAM_SEGMENT.exec(seg);
    if (param) {
      const name = param[1]!;
      if (names.has(name)) return `path parameter {${name}} appears twice (got ${shown})`;
      names.add(name);
      continue;
    }
    if (seg.includes('{') || seg.includes('}')) {
      return `a {name} placeholder must be a whole segment with a name like {id} (got ${quote(seg)} in ${shown})`;
    }
    if (!LITERAL_SEGMENT.test(seg)) return `path segment ${quote(seg)} contains characters not allowed in a URL path`;
  }
  return undefined;
}

/**
 * Matches a concrete request path against a template: each `{name}` matches exactly
 * one non-empty segment, every other segment must be equal. The query string and
 * fragment of `concretePath` are ignored. Captured values are returned raw (still
 * percent-encoded), so `a%2Fb` is one segment and stays distinguishable from `a/b`.
 * @example matchPath('/v1/payments/{id}', '/v1/payments/pay_1?x=1') // { id: 'pay_1' }
 */
export function matchPath(template: string, concretePath: string): Record<string, string> | null {
  const cut = concretePath.search(/[?#]/);
  const concrete = cut === -1 ? concretePath : concretePath.slice(0, cut);
  const t = template.split('/');
  const c = concrete.split('/');
  if (t.length !== c.length) return null;
  // Built as entries and materialised with fromEntries so a parameter named
  // `__proto__` becomes an own property instead of touching a prototype.
  const params: Array<[string, string]> = [];
  for (let i = 0; i < t.length; i++) {
    const ts = t[i]!;
    const cs = c[i]!;
    const param = PARAM_SEGMENT.exec(ts);
    if (param) {
      if (cs === '') return null;
      params.push([param[1]!, cs]);
    } else if (ts !== cs) {
      return null;
    }
  }
  return Object.fromEntries(params);
}
