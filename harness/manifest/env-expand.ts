/**
 * `run.env` templates: `${NAME}` takes the harness's own variable (contract section 3),
 * so a real connector keeps its own variable names; `$${` writes a literal `${`.
 * Unknown names are errors rather than empty strings: an empty WEBHOOK_SECRET is
 * exactly the fault (RW-03) the harness tests for, so it must never happen by typo.
 */
import { GauntletError, type FieldProblem } from '../errors.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export type EnvToken = { kind: 'text'; text: string } | { kind: 'ref'; name: string };

/** Splits a template into literal text and `${NAME}` references, or returns the syntax problem. */
export function tokenizeEnvTemplate(value: string): { ok: true; tokens: EnvToken[] } | { ok: false; reason: string } {
  const tokens: EnvToken[] = [];
  let text = '';
  let i = 0;
  while (i < value.length) {
    if (value.startsWith('$${', i)) {
      text += '${';
      i += 3;
    } else if (value.startsWith('${', i)) {
      const end = value.indexOf('}', i + 2);
      if (end === -1) return { ok: false, reason: `unterminated "\${" at character ${i + 1}; write "$\${" for a literal "\${"` };
      const name = value.slice(i + 2, end);
      if (!NAME.test(name)) {
        return { ok: false, reason: `${quote(`\${${name}}`)} is not a variable reference: names are letters, digits and "_" and do not start with a digit` };
      }
      if (text) tokens.push({ kind: 'text', text });
      text = '';
      tokens.push({ kind: 'ref', name });
      i = end + 1;
    } else {
      text += value[i];
      i += 1;
    }
  }
  if (text) tokens.push({ kind: 'text', text });
  return { ok: true, tokens };
}

/**
 * Expands every value of `template` against `harnessEnv`.
 * @example expandEnv({ SECRET: '${WEBHOOK_SECRET}' }, { WEBHOOK_SECRET: 'whsec_x' }) // { SECRET: 'whsec_x' }
 * @throws GauntletError GAUNTLET_ERR_MANIFEST_INVALID listing every `run.env.X` that names
 *   an unknown variable or is malformed (all problems at once).
 */
export function expandEnv(template: Record<string, string>, harnessEnv: Record<string, string>): Record<string, string> {
  const out: Array<[string, string]> = [];
  const problems: FieldProblem[] = [];
  for (const [key, value] of Object.entries(template)) {
    const path = `run.env.${key}`;
    if (typeof value !== 'string') {
      problems.push({ path, reason: `must be a string (got ${typeof value})` });
      continue;
    }
    const parsed = tokenizeEnvTemplate(value);
    if (!parsed.ok) {
      problems.push({ path, reason: parsed.reason });
      continue;
    }
    let result = '';
    for (const t of parsed.tokens) {
      if (t.kind === 'text') {
        result += t.text;
        // Object.hasOwn: `${constructor}` must not resolve to Object.prototype.constructor.
      } else if (Object.hasOwn(harnessEnv, t.name) && typeof harnessEnv[t.name] === 'string') {
        result += harnessEnv[t.name];
      } else {
        const known = Object.keys(harnessEnv).sort().join(', ');
        problems.push({ path, reason: `refers to unknown variable \${${t.name}}; the harness provides: ${known || '(nothing)'}` });
      }
    }
    out.push([key, result]);
  }
  if (problems.length > 0) {
    throw new GauntletError('GAUNTLET_ERR_MANIFEST_INVALID', `run.env cannot be expanded (${problems.length} problem${problems.length === 1 ? '' : 's'})`, { problems });
  }
  // fromEntries defines own properties, so a key such as `__proto__` cannot reach a prototype.
  return Object.fromEntries(out);
}

/** JSON-quotes text for a message; also escapes U+2028/2029 and bidi controls, which JSON leaves raw. */
function quote(s: string, max = 80): string {
  const t = s.length > max ? `${s.slice(0, max)}…` : s;
  return JSON.stringify(t).replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
