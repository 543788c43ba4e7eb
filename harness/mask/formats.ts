/**
 * The captured-payload formats `gauntlet mask` reads: one JSON document, JSON Lines (one
 * document per line), and HAR 1.2 (browser/proxy captures, whose bodies are JSON or form
 * text inside strings). Parse errors name the line and column, never the text around them.
 */
import { jsonErrorOffset } from '../manifest/load.js';
import { MaskPathError, type JsonValue, type Masker } from './masker.js';

export const MASK_FORMATS = ['json', 'jsonl', 'har'] as const;
export type MaskFormat = (typeof MASK_FORMATS)[number];

/** Where and why an input could not be read; `where` is `line L column C` or a JSON pointer. */
export class MaskInputProblem extends Error {
  constructor(readonly where: string, readonly reason: string) {
    super(`${where}: ${reason}`);
  }
}

/** The format from the flag, else the extension, else the content. */
export function detectFormat(file: string, text: string, flag?: MaskFormat): MaskFormat {
  if (flag) return flag;
  const lower = file.toLowerCase();
  if (lower.endsWith('.har')) return 'har';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  if (lower.endsWith('.json')) return 'json';
  // No telling extension: one document if it parses as one, else lines.
  try {
    const v = JSON.parse(stripBom(text)) as unknown;
    return isHar(v) ? 'har' : 'json';
  } catch {
    return 'jsonl';
  }
}

/** Masks the whole text of one file in `format`; throws MaskInputProblem for bad input. */
export function maskDocument(text: string, format: MaskFormat, masker: Masker): string {
  const bom = text.startsWith('\uFEFF') ? '\uFEFF' : '';
  const body = bom ? text.slice(1) : text;
  switch (format) {
    case 'json': {
      const doc = parseJson(body, 0);
      return bom + serialise(guard(() => masker.maskJson(doc)), body);
    }
    case 'jsonl':
      return bom + maskLines(body, masker);
    case 'har': {
      const doc = parseJson(body, 0);
      if (!isHar(doc)) throw new MaskInputProblem('/log/entries', 'not a HAR file: expected { "log": { "entries": [...] } } (pass --format json to mask it as plain JSON)');
      return bom + serialise(guard(() => maskHar(doc, masker)), body);
    }
  }
}

function maskLines(text: string, masker: Masker): string {
  const lines = text.split('\n');
  return lines
    .map((raw, i) => {
      const cr = raw.endsWith('\r') ? '\r' : '';
      const line = cr ? raw.slice(0, -1) : raw;
      if (line.trim() === '') return raw;
      const doc = parseJson(line, i);
      const masked = guard(() => masker.maskJson(doc), `line ${i + 1} `);
      return JSON.stringify(masked) + cr;
    })
    .join('\n');
}

function parseJson(text: string, lineOffset: number): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // The engine's message quotes the input around the error: never shown, only the position.
    const offset = jsonErrorOffset(text);
    // Valid by the scanner yet refused by the engine: nesting too deep for its parser.
    if (offset === undefined) throw new MaskInputProblem(`line ${lineOffset + 1}`, 'nested too deeply to parse');
    const at = offset;
    const before = text.slice(0, at);
    const line = before.split('\n').length + lineOffset;
    const column = at - before.lastIndexOf('\n');
    throw new MaskInputProblem(`line ${line} column ${column}`, text.trim() === '' ? 'empty document' : 'invalid JSON');
  }
}

function guard<T>(fn: () => T, prefix = ''): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof MaskPathError) throw new MaskInputProblem(`${prefix}${e.path || '/'}`, e.reason);
    throw e;
  }
}

/** Keeps the input's layout: compact stays compact, indented keeps its indent unit. */
function serialise(v: JsonValue, original: string): string {
  const indent = /\n([ \t]+)["{[\]}0-9tfn-]/.exec(original)?.[1];
  const trailing = /\n\s*$/.test(original) ? '\n' : '';
  return (indent !== undefined ? JSON.stringify(v, null, indent) : JSON.stringify(v)) + trailing;
}

function stripBom(t: string): string {
  return t.startsWith('\uFEFF') ? t.slice(1) : t;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function isHar(v: unknown): v is { log: { entries: unknown[] } } {
  return isObj(v) && isObj(v.log) && Array.isArray(v.log.entries);
}

const PAIR_LISTS = new Set(['headers', 'queryString', 'cookies', 'params']);
const JSON_MIME = /^application\/(?:[\w.+-]+\+)?json\b|^text\/json\b/i;
const FORM_MIME = /^application\/x-www-form-urlencoded\b/i;

/**
 * HAR: name/value pairs (headers, query, cookies, form params) are masked by their name;
 * bodies (`postData.text`, `content.text`, base64 or not) by their MIME type; URLs part by
 * part; everything else by shape only (HAR's own keys such as `name` are structure, not people).
 */
export function maskHar(har: unknown, masker: Masker): JsonValue {
  return harNode(har, masker, '', undefined, 0);
}

function harNode(v: unknown, masker: Masker, pointer: string, parent: Obj | undefined, depth: number): JsonValue {
  if (depth > 200) throw new MaskPathError(pointer, 'HAR nested deeper than 200 levels');
  if (typeof v === 'string') return masker.maskText(v);
  if (!isObj(v) && !Array.isArray(v)) return masker.maskJson(v, undefined, pointer);
  if (Array.isArray(v)) return v.map((x, i) => harNode(x, masker, `${pointer}/${i}`, parent, depth + 1));
  const out: Record<string, JsonValue> = {};
  for (const [k, x] of Object.entries(v)) {
    const p = `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    let masked: JsonValue;
    // Cookie values are credentials whatever their name (`session`, `sid`, `_gh_sess`).
    if (PAIR_LISTS.has(k) && Array.isArray(x)) masked = x.map((pair, i) => harPair(pair, masker, `${p}/${i}`, k === 'cookies'));
    else if (k === 'text' && typeof x === 'string' && 'mimeType' in v) masked = harBody(x, v, masker, p);
    else if (k === 'url' && typeof x === 'string') masked = maskUrl(x, masker);
    else masked = harNode(x, masker, p, v, depth + 1);
    Object.defineProperty(out, masker.maskText(k), { value: masked, enumerable: true, writable: true, configurable: true });
  }
  // A changed body has a new length; a stale `size` would mislead whoever replays the capture.
  if (typeof out['text'] === 'string' && typeof v['size'] === 'number' && v['encoding'] !== 'base64' && out['text'] !== v['text']) {
    out['size'] = Buffer.byteLength(out['text'] as string, 'utf8');
  }
  return out;
}

function harPair(pair: unknown, masker: Masker, pointer: string, secretValues = false): JsonValue {
  if (!isObj(pair)) return harNode(pair, masker, pointer, undefined, 0);
  const name = secretValues ? 'cookie' : typeof pair['name'] === 'string' ? pair['name'] : undefined;
  const out: Record<string, JsonValue> = {};
  for (const [k, x] of Object.entries(pair)) {
    const masked = k === 'value' && typeof x === 'string' ? masker.maskString(x, name) : harNode(x, masker, `${pointer}/${k}`, pair, 1);
    Object.defineProperty(out, k, { value: masked, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function harBody(text: string, holder: Obj, masker: Masker, pointer: string): string {
  const mime = typeof holder['mimeType'] === 'string' ? holder['mimeType'] : '';
  if (holder['encoding'] === 'base64') {
    const bytes = Buffer.from(text, 'base64');
    const decoded = utf8OrUndefined(bytes);
    // Binary bodies (images, protobuf) are left as they are: there is no text to mask.
    if (decoded === undefined) return text;
    return Buffer.from(bodyText(decoded, mime, masker, pointer), 'utf8').toString('base64');
  }
  return bodyText(text, mime, masker, pointer);
}

function bodyText(text: string, mime: string, masker: Masker, pointer: string): string {
  const trimmed = text.trimStart();
  if (JSON_MIME.test(mime) || trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let doc: unknown;
    let parsed = false;
    try {
      doc = JSON.parse(text);
      parsed = true;
    } catch {
      // not JSON after all: masked as text below
    }
    if (parsed) return serialise(guard(() => masker.maskJson(doc), `${pointer} `), text);
  }
  if (FORM_MIME.test(mime)) {
    const params = new URLSearchParams(text);
    const out = new URLSearchParams();
    for (const [k, val] of params) out.append(masker.maskText(k), masker.maskString(val, k));
    return out.toString();
  }
  return masker.maskText(text);
}

function maskUrl(u: string, masker: Masker): string {
  let url: URL;
  try {
    url = new URL(u);
  } catch {
    return masker.maskText(u);
  }
  if (url.username) url.username = masker.maskString(decodeSafe(url.username), 'secret');
  if (url.password) url.password = masker.maskString(decodeSafe(url.password), 'secret');
  url.pathname = url.pathname
    .split('/')
    .map((seg) => {
      const d = decodeSafe(seg);
      const m = masker.maskText(d);
      return m === d ? seg : encodeURIComponent(m);
    })
    .join('/');
  const q = [...url.searchParams];
  const mq = q.map(([k, val]) => [masker.maskText(k), masker.maskString(val, k)] as const);
  // Rebuilt only when something changed: URLSearchParams re-encodes (`%20` → `+`).
  if (mq.some(([k, val], i) => k !== q[i]![0] || val !== q[i]![1])) url.search = new URLSearchParams(mq.map(([k, val]) => [k, val])).toString();
  if (url.hash) url.hash = masker.maskText(decodeSafe(url.hash.slice(1)));
  return url.toString();
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function utf8OrUndefined(b: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    return undefined;
  }
}
