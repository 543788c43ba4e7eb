/**
 * A JSON writer with knobs for every byte-level freedom RFC 8259 allows (whitespace, key order,
 * `\u` escapes, `\/`, number spelling). Every style decodes, with JSON.parse, to the same value:
 * the point is to produce bytes a connector must NOT normalise before checking the signature.
 */
export interface JsonStyle {
  /** Indentation unit; '' writes everything on one line. */
  indent?: string;
  /** Line break used when indenting ('\n' or '\r\n'). */
  newline?: '\n' | '\r\n';
  /** Text between key and value: ':' plus optional spaces/tabs. */
  colon?: string;
  /** Extra insignificant whitespace at token boundary number `i` (0, 1, 2, …). */
  gap?: (i: number) => string;
  /** Reorders an object's keys (default: insertion order). */
  keyOrder?: (keys: string[]) => string[];
  /** Escape this code point as `\uXXXX` (surrogate pairs for astral). */
  escape?: (codePoint: number) => boolean;
  /** Write `/` as `\/`. */
  escapeSlash?: boolean;
  /** Spelling of safe integers: `1999`, `1999.0` or `1999e0`. */
  integerForm?: 'plain' | 'decimal' | 'exponent';
  /** Whitespace before / after the document. */
  leading?: string;
  trailing?: string;
}

const SHORT: Record<number, string> = { 0x22: '\\"', 0x5c: '\\\\', 0x08: '\\b', 0x0c: '\\f', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t' };

function u(unit: number): string {
  return `\\u${unit.toString(16).padStart(4, '0')}`;
}

function writeString(s: string, style: JsonStyle): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    const short = SHORT[cp];
    if (short !== undefined) out += short;
    else if (cp < 0x20 || (cp >= 0xd800 && cp <= 0xdfff)) out += u(cp); // controls and lone surrogates must be escaped
    else if (style.escape?.(cp)) out += cp > 0xffff ? u(ch.charCodeAt(0)) + u(ch.charCodeAt(1)) : u(cp);
    else if (cp === 0x2f && style.escapeSlash) out += '\\/';
    else out += ch;
  }
  return `${out}"`;
}

function writeNumber(n: number, style: JsonStyle): string {
  if (!Number.isFinite(n)) return 'null';
  if (Object.is(n, -0)) return '0';
  if (Number.isSafeInteger(n) && style.integerForm === 'decimal') return `${n}.0`;
  if (Number.isSafeInteger(n) && style.integerForm === 'exponent') return `${n}e0`;
  return JSON.stringify(n);
}

/** Serialises a JSON value (run it through JSON.parse(JSON.stringify(x)) first if it may hold non-JSON). */
export function writeJson(value: unknown, style: JsonStyle = {}): string {
  const indent = style.indent ?? '';
  const nl = indent ? (style.newline ?? '\n') : '';
  const colon = style.colon ?? (indent ? ': ' : ':');
  let gapN = 0;
  const gap = (): string => (style.gap ? style.gap(gapN++) : '');
  const pad = (depth: number): string => (indent ? nl + indent.repeat(depth) : '');

  const write = (v: unknown, depth: number): string => {
    if (v === null || v === undefined) return 'null';
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (typeof v === 'number') return writeNumber(v, style);
    if (typeof v === 'string') return writeString(v, style);
    if (Array.isArray(v)) {
      if (v.length === 0) return `[${gap()}]`;
      const items = v.map((x) => pad(depth + 1) + gap() + write(x, depth + 1) + gap());
      return `[${items.join(',')}${pad(depth)}]`;
    }
    const obj = v as Record<string, unknown>;
    const own = Object.keys(obj).filter((k) => obj[k] !== undefined);
    const keys = style.keyOrder ? style.keyOrder(own) : own;
    if (keys.length === 0) return `{${gap()}}`;
    const items = keys.map(
      (k) => pad(depth + 1) + gap() + writeString(k, style) + gap() + colon + gap() + write(obj[k], depth + 1) + gap(),
    );
    return `{${items.join(',')}${pad(depth)}}`;
  };
  return (style.leading ?? '') + write(value, 0) + (style.trailing ?? '');
}
