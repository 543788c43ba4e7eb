/**
 * Loads `connector.yaml` / `.yml` / `.json` into the normalised `Manifest`.
 *
 * The manifest is written by the connector's vendor, so it is untrusted input: the
 * loader caps its size, refuses alias bombs and `__proto__` keys, and whatever it is
 * given it either returns a Manifest or throws a GauntletError. Every problem is
 * collected and reported at once with a dotted field path (`run.command[0]`) and a
 * reason that says what was expected and what was found.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parseDocument, type YAMLError } from 'yaml';
import { GauntletError, isGauntletError, type FieldProblem } from '../errors.js';
import { tryParseEffectCall } from './effects.js';
import { tokenizeEnvTemplate } from './env-expand.js';
import { MANIFEST_SCHEMA, PATTERNS } from './schema.js';
import {
  DEFAULT_TIER,
  TIERS,
  type ConnectorType,
  type EffectRule,
  type Manifest,
  type RunSpec,
  type ServiceKind,
  type SignatureScheme,
  type Tier,
} from './types.js';

export interface LoadManifestOptions {
  /** Folder that `run.cwd` and `run.dockerfile` must stay inside. Default: the manifest's folder. */
  projectRoot?: string;
  /** Allow `run.cwd` / `run.dockerfile` outside `projectRoot`. */
  allowOutsideProject?: boolean;
}

export type ManifestFormat = 'yaml' | 'json';

export const MANIFEST_FILE_NAMES = ['connector.yaml', 'connector.yml', 'connector.json'] as const;
/** A manifest is a page of configuration; anything bigger is a mistake or an attack. */
export const MAX_MANIFEST_BYTES = 1024 * 1024;
const MAX_DEPTH = 64;
const MAX_PROBLEMS = 100;
const MAX_ALIASES = 100;

export const MANIFEST_DEFAULTS = {
  startTimeoutMs: 15_000,
  toleranceSec: 300,
  ackMs: 2_000,
  outboundTimeoutMs: 5_000,
} as const;

/**
 * Reads, validates and normalises a manifest file (or a folder holding `connector.yaml`).
 * @example const manifest = await loadManifest('examples/connectors/acme/connector.yaml');
 * @throws GauntletError GAUNTLET_ERR_MANIFEST_NOT_FOUND | _PARSE | _INVALID (with `problems`).
 */
export async function loadManifest(file: string, opts: LoadManifestOptions = {}): Promise<Manifest> {
  try {
    const sourcePath = await locate(file);
    const format = formatOf(sourcePath);
    const text = await readText(sourcePath);
    const manifest = parseManifestText(text, format, sourcePath, opts);
    await checkOnDisk(manifest, opts);
    return manifest;
  } catch (e) {
    throw asGauntletError(e, file);
  }
}

/**
 * Parses and validates manifest text without touching the disk (paths are resolved
 * against `sourcePath` but not checked for existence).
 */
export function parseManifestText(text: string, format: ManifestFormat, sourcePath: string, opts: LoadManifestOptions = {}): Manifest {
  const absolute = path.resolve(sourcePath);
  let data: unknown;
  try {
    data = format === 'json' ? parseJson(text, absolute) : parseYaml(text, absolute);
  } catch (e) {
    throw asGauntletError(e, sourcePath);
  }
  return validateManifest(data, absolute, opts);
}

/** Validates already-parsed data (e.g. from an API caller) as if read from `sourcePath`. */
export function validateManifest(data: unknown, sourcePath: string, opts: LoadManifestOptions = {}): Manifest {
  const source = { path: path.resolve(sourcePath), dir: path.dirname(path.resolve(sourcePath)) };
  const root = path.resolve(opts.projectRoot ?? source.dir);
  const where = path.basename(source.path);
  if (data === null || data === undefined) {
    throw invalid(where, [{ path: '', reason: 'the manifest is empty; expected a mapping with apiVersion, name, version, type, run and webhooks' }]);
  }
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw invalid(where, [{ path: '', reason: `the manifest must be a mapping of fields at the top level (got ${describe(data)})` }]);
  }
  try {
    return validateObject(data, source, root, opts);
  } catch (e) {
    if (isGauntletError(e)) throw e;
    // Validation must cope with any input; reaching here is a harness bug, so say so.
    throw new GauntletError('GAUNTLET_ERR_INTERNAL', `validating ${where} failed unexpectedly: ${String((e as Error)?.message ?? e)}`, { cause: e });
  }
}

function validateObject(data: object, source: { path: string; dir: string }, root: string, opts: LoadManifestOptions): Manifest {
  const where = path.basename(source.path);
  const problems = new ProblemList();
  scanKeys(data, [], 0, problems);
  for (const p of schemaProblems(data)) problems.add(p);
  semanticChecks(data as Raw, { root, dir: source.dir, allowOutside: opts.allowOutsideProject === true }, problems);
  if (problems.size > 0) throw invalid(where, problems.list(), problems.size);
  return normalise(data as Raw, source);
}

// ---------------------------------------------------------------- reading

async function locate(file: string): Promise<string> {
  if (typeof file !== 'string' || file.length === 0) {
    throw new GauntletError('GAUNTLET_ERR_MANIFEST_NOT_FOUND', 'no manifest path given');
  }
  const absolute = path.resolve(file);
  const st = await stat(absolute).catch(() => undefined);
  if (!st) throw new GauntletError('GAUNTLET_ERR_MANIFEST_NOT_FOUND', `manifest not found: ${absolute}`);
  if (!st.isDirectory()) return absolute;
  for (const name of MANIFEST_FILE_NAMES) {
    const candidate = path.join(absolute, name);
    const s = await stat(candidate).catch(() => undefined);
    if (s?.isFile()) return candidate;
  }
  throw new GauntletError('GAUNTLET_ERR_MANIFEST_NOT_FOUND', `no ${MANIFEST_FILE_NAMES.join(' / ')} in folder ${absolute}`);
}

function formatOf(file: string): ManifestFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  if (ext === '.json') return 'json';
  throw new GauntletError('GAUNTLET_ERR_MANIFEST_PARSE', `${file}: unsupported manifest extension ${JSON.stringify(ext || '(none)')}; use .yaml, .yml or .json`);
}

async function readText(file: string): Promise<string> {
  const st = await stat(file);
  if (!st.isFile()) throw new GauntletError('GAUNTLET_ERR_MANIFEST_NOT_FOUND', `not a regular file: ${file}`);
  if (st.size > MAX_MANIFEST_BYTES) {
    throw new GauntletError('GAUNTLET_ERR_MANIFEST_PARSE', `${file} is ${st.size} bytes; a manifest may be at most ${MAX_MANIFEST_BYTES} bytes`);
  }
  const bytes = await readFile(file);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new GauntletError('GAUNTLET_ERR_MANIFEST_PARSE', `${file} is not valid UTF-8 text`);
  }
}

function parseYaml(text: string, file: string): unknown {
  if (text.length > MAX_MANIFEST_BYTES) throw tooLarge(file, text.length);
  // logLevel 'error': warnings (e.g. a list used as a key) must not reach stderr; such keys fail validation anyway.
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true, strict: true, logLevel: 'error' });
  const first = doc.errors[0];
  if (first) {
    const where = (e: YAMLError) => (e.linePos?.[0] ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : 'an unknown position');
    const summary = (e: YAMLError) => printable(e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''));
    // A common trip: `{id}` inside a flow mapping `{ call: POST /v1/x/{id} }` opens a new mapping.
    const hint = '{}[],'.includes(text[first.pos[0]] ?? '') ? ' (inside { … } or [ … ], quote values that contain { } [ ] or ,)' : '';
    throw new GauntletError('GAUNTLET_ERR_MANIFEST_PARSE', `${path.basename(file)}: YAML syntax error at ${where(first)}: ${summary(first)}${hint}`, {
      problems: doc.errors.slice(0, 5).map((e) => ({ path: '', reason: `${where(e)}: ${summary(e)}` })),
      cause: first,
    });
  }
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    throw new GauntletError('GAUNTLET_ERR_MANIFEST_PARSE', `${path.basename(file)}: the YAML cannot be read: ${printable((e as Error).message)}`, { cause: e });
  }
}

function parseJson(text: string, file: string): unknown {
  if (text.length > MAX_MANIFEST_BYTES) throw tooLarge(file, text.length);
  try {
    return JSON.parse(text);
  } catch (e) {
    // Node's JSON.parse no longer reports a position, so find it ourselves.
    const offset = jsonErrorOffset(text);
    let at = '';
    if (offset !== undefined) {
      const before = text.slice(0, offset);
      const line = before.split('\n').length;
      at = ` at line ${line}, column ${offset - before.lastIndexOf('\n')}`;
    }
    throw new GauntletError('GAUNTLET_ERR_MANIFEST_PARSE', `${path.basename(file)}: JSON syntax error${at}: ${printable((e as Error).message)}`, { cause: e });
  }
}

/**
 * Offset of the first JSON syntax error, found with an iterative scanner (no recursion,
 * so 10,000 nested arrays cannot overflow the stack). Undefined if the text is valid.
 */
export function jsonErrorOffset(text: string): number | undefined {
  type State = 'value' | 'value-or-end' | 'key' | 'key-or-end' | 'colon' | 'comma-or-end' | 'done';
  const stack: Array<'[' | '{'> = [];
  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  let state: State = 'value';
  let i = 0;
  const afterValue = (): State => (stack.length === 0 ? 'done' : 'comma-or-end');
  const readString = (): boolean => {
    i += 1;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i += 1;
        return true;
      }
      if (c < 0x20) return false;
      if (c === 0x5c) {
        const n = text[i + 1];
        if (n === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return false;
          i += 6;
        } else if (n !== undefined && '"\\/bfnrt'.includes(n)) {
          i += 2;
        } else {
          return false;
        }
      } else {
        i += 1;
      }
    }
    return false;
  };
  for (;;) {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i += 1;
    if (i >= text.length) return state === 'done' ? undefined : i;
    const ch = text[i]!;
    switch (state) {
      case 'done':
        return i;
      case 'colon':
        if (ch !== ':') return i;
        i += 1;
        state = 'value';
        continue;
      case 'comma-or-end': {
        const top = stack[stack.length - 1];
        if (ch === ',') {
          i += 1;
          state = top === '{' ? 'key' : 'value';
        } else if ((ch === '}' && top === '{') || (ch === ']' && top === '[')) {
          i += 1;
          stack.pop();
          state = afterValue();
        } else {
          return i;
        }
        continue;
      }
      case 'key':
      case 'key-or-end':
        if (ch === '}' && state === 'key-or-end') {
          i += 1;
          stack.pop();
          state = afterValue();
        } else if (ch === '"') {
          if (!readString()) return Math.min(i, text.length);
          state = 'colon';
        } else {
          return i;
        }
        continue;
      case 'value-or-end':
        if (ch === ']') {
          i += 1;
          stack.pop();
          state = afterValue();
          continue;
        }
      // falls through: anything else must be a value
      case 'value':
        if (ch === '{' || ch === '[') {
          stack.push(ch);
          i += 1;
          state = ch === '{' ? 'key-or-end' : 'value-or-end';
        } else if (ch === '"') {
          if (!readString()) return Math.min(i, text.length);
          state = afterValue();
        } else if (text.startsWith('true', i) || text.startsWith('null', i)) {
          i += 4;
          state = afterValue();
        } else if (text.startsWith('false', i)) {
          i += 5;
          state = afterValue();
        } else {
          NUMBER.lastIndex = i;
          const m = NUMBER.exec(text);
          if (!m) return i;
          i += m[0].length;
          state = afterValue();
        }
        continue;
    }
  }
}

function tooLarge(file: string, n: number): GauntletError {
  return new GauntletError('GAUNTLET_ERR_MANIFEST_PARSE', `${path.basename(file)} has ${n} characters; a manifest may be at most ${MAX_MANIFEST_BYTES}`);
}

async function checkOnDisk(m: Manifest, opts: LoadManifestOptions): Promise<void> {
  const problems = new ProblemList();
  const root = path.resolve(opts.projectRoot ?? m.source.dir);
  const realRoot = await realpath(root).catch(() => root);
  const check = async (field: string, p: string, want: 'dir' | 'file') => {
    const st = await stat(p).catch(() => undefined);
    const shown = printable(p);
    if (!st) return problems.add({ path: field, reason: `${shown} does not exist` });
    if (want === 'dir' && !st.isDirectory()) return problems.add({ path: field, reason: `${shown} is not a folder` });
    if (want === 'file' && !st.isFile()) return problems.add({ path: field, reason: `${shown} is not a file` });
    // The lexical check already passed; a symlink must not lead out of the project either.
    const real = await realpath(p).catch(() => p);
    if (!opts.allowOutsideProject && !isInside(realRoot, real)) {
      problems.add({ path: field, reason: `${shown} leads through a symlink to ${printable(real)}, outside the project folder ${printable(realRoot)}` });
    }
  };
  if (m.run.command) await check('run.cwd', m.run.cwd, 'dir');
  if (m.run.dockerfile) await check('run.dockerfile', m.run.dockerfile, 'file');
  if (problems.size > 0) throw invalid(path.basename(m.source.path), problems.list(), problems.size);
}

// ---------------------------------------------------------------- problems

class ProblemList {
  private readonly items: FieldProblem[] = [];
  private readonly seen = new Set<string>();
  add(p: FieldProblem): void {
    const key = `${p.path}\u0000${p.reason}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.items.push(p);
  }
  hasExactly(path: string): boolean {
    return this.items.some((p) => p.path === path);
  }
  get size(): number {
    return this.items.length;
  }
  /** At most MAX_PROBLEMS, then one line counting the rest: a 1 MiB manifest can hold 50,000 mistakes. */
  list(): FieldProblem[] {
    if (this.items.length <= MAX_PROBLEMS) return [...this.items];
    return [...this.items.slice(0, MAX_PROBLEMS), { path: '', reason: `… and ${this.items.length - MAX_PROBLEMS} more problems` }];
  }
}

function invalid(where: string, problems: FieldProblem[], total = problems.length): GauntletError {
  const n = total;
  return new GauntletError('GAUNTLET_ERR_MANIFEST_INVALID', `${where} has ${n} problem${n === 1 ? '' : 's'}`, { problems });
}

function asGauntletError(e: unknown, file: string): GauntletError {
  if (isGauntletError(e)) return e;
  const err = e as NodeJS.ErrnoException | undefined;
  if (err && (err.code === 'ENOENT' || err.code === 'ENOTDIR')) {
    return new GauntletError('GAUNTLET_ERR_MANIFEST_NOT_FOUND', `manifest not found: ${String(file)}`, { cause: e });
  }
  if (err && typeof err.code === 'string' && err.code.startsWith('E')) {
    return new GauntletError('GAUNTLET_ERR_MANIFEST_NOT_FOUND', `cannot read manifest ${String(file)}: ${err.code}`, { cause: e });
  }
  // A stack overflow on absurdly nested input is still a bad manifest, not a crash.
  if (e instanceof RangeError) {
    return new GauntletError('GAUNTLET_ERR_MANIFEST_PARSE', `${String(file)}: the manifest is nested too deeply to read`, { cause: e });
  }
  return new GauntletError('GAUNTLET_ERR_MANIFEST_PARSE', `${String(file)}: the manifest could not be read: ${String((e as Error)?.message ?? e)}`, { cause: e });
}

// ---------------------------------------------------------------- paths and descriptions

type Seg = string | number;

function fieldPath(segs: readonly Seg[]): string {
  let out = '';
  for (const s of segs) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z0-9_$][A-Za-z0-9_.$:-]*$/.test(s)) out += out ? `.${s}` : s;
    else out += `[${printable(JSON.stringify(truncate(s, 60)))}]`;
  }
  return out;
}

/** Turns an ajv JSON pointer into segments, using the data to tell list indexes from keys. */
function pointerSegments(pointer: string, data: unknown): Seg[] {
  if (pointer === '') return [];
  const segs: Seg[] = [];
  let cur: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur) && /^\d+$/.test(key)) {
      segs.push(Number(key));
      cur = cur[Number(key)];
    } else {
      segs.push(key);
      cur = cur !== null && typeof cur === 'object' && Object.hasOwn(cur, key) ? (cur as Record<string, unknown>)[key] : undefined;
    }
  }
  return segs;
}

/**
 * Parser messages quote the manifest; control, line-separator and bidi characters in it
 * must not reach a terminal or report raw.
 */
function printable(s: string, max = 300): string {
  const t = s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return truncate(t, max);
}

function truncate(s: string, max = 80): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return v === '' ? 'an empty string' : `string ${printable(JSON.stringify(truncate(v)))}`;
  if (typeof v === 'number') return `number ${String(v)}`;
  if (typeof v === 'boolean') return `boolean ${String(v)}`;
  return typeof v;
}

function levenshtein(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 99;
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

function suggest(word: string, options: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const w = word.toLowerCase();
  for (const o of options) {
    const d = levenshtein(w, o.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = o;
    }
  }
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  return bestD <= limit ? best : undefined;
}

// ---------------------------------------------------------------- structural checks

let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  compiled ??= new Ajv({ allErrors: true, verbose: true, strict: true, strictRequired: false }).compile(MANIFEST_SCHEMA);
  return compiled;
}

const HINT_BY_PATTERN = new Map<string, string>(Object.values(PATTERNS).map((p) => [p.pattern, p.hint]));

function schemaProblems(data: object): FieldProblem[] {
  const validate = validator();
  if (validate(data)) return [];
  const errors = (validate.errors ?? []).filter((e) => e.keyword !== 'if' && e.keyword !== 'oneOf' && !e.schemaPath.includes('/oneOf/') && e.keyword !== 'propertyNames');
  // A value of the wrong type makes every other complaint about it noise.
  const typed = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  const out: FieldProblem[] = [];
  for (const e of errors) {
    if (e.keyword !== 'type' && typed.has(e.instancePath) && !['required', 'additionalProperties'].includes(e.keyword)) continue;
    out.push(translate(e, data));
  }
  return out;
}

function translate(e: ErrorObject, root: unknown): FieldProblem {
  const segs = pointerSegments(e.instancePath, root);
  const parent = (e.parentSchema ?? {}) as Record<string, unknown>;
  const got = describe(e.data);
  const p = e.params as Record<string, unknown>;
  const withKey = (key: string) => fieldPath([...segs, key]);
  if (e.propertyName !== undefined) {
    // Errors raised by `propertyNames` are about a key, not a value.
    const hint = e.keyword === 'pattern' ? HINT_BY_PATTERN.get(String(p.pattern)) : undefined;
    return { path: withKey(e.propertyName), reason: `is not a valid key here: expected ${hint ?? e.message ?? 'another name'}` };
  }
  const at = fieldPath(segs);
  switch (e.keyword) {
    case 'required':
      return { path: withKey(String(p.missingProperty)), reason: 'is required but missing' };
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const known = Object.keys((parent.properties ?? {}) as object);
      const near = suggest(key, known);
      const reason = key === '__proto__' ? 'is a forbidden key' : near ? `is not a known field; did you mean "${near}"?` : `is not a known field (known: ${known.join(', ')})`;
      return { path: withKey(key), reason };
    }
    case 'type': {
      const want = String(p.type);
      if (want === 'integer' && typeof parent.minimum === 'number') return { path: at, reason: `${rangeText(parent)} (got ${got})` };
      const noun = want === 'array' ? 'list' : want === 'object' ? 'mapping' : want;
      const article = noun === 'integer' ? 'an' : 'a';
      const quote = want === 'string' && (typeof e.data === 'number' || typeof e.data === 'boolean') ? `; quote it in YAML: "${String(e.data)}"` : '';
      return { path: at, reason: `must be ${article} ${noun} (got ${got}${quote})` };
    }
    case 'minimum':
    case 'maximum':
      return { path: at, reason: `${rangeText(parent)} (got ${got})` };
    case 'const':
      return { path: at, reason: `must be ${JSON.stringify(p.allowedValue)} (got ${got})` };
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).map(String);
      const near = typeof e.data === 'string' ? suggest(e.data, allowed) : undefined;
      return { path: at, reason: `must be one of ${allowed.join(', ')} (got ${got})${near ? `; did you mean "${near}"?` : ''}` };
    }
    case 'pattern': {
      const hint = HINT_BY_PATTERN.get(String(p.pattern));
      return { path: at, reason: `must be ${hint ?? `text matching ${String(p.pattern)}`} (got ${got})` };
    }
    case 'minLength':
      return { path: at, reason: p.limit === 1 ? 'must not be empty' : `must be at least ${String(p.limit)} characters (got ${got})` };
    case 'maxLength':
      return { path: at, reason: `must be at most ${String(p.limit)} characters (got ${typeof e.data === 'string' ? e.data.length : '?'})` };
    case 'minItems':
      return { path: at, reason: p.limit === 1 ? 'must be a non-empty list' : `must have at least ${String(p.limit)} entries (got ${got})` };
    case 'maxItems':
      return { path: at, reason: `must have at most ${String(p.limit)} entries (got ${got})` };
    case 'uniqueItems': {
      const list = Array.isArray(e.data) ? e.data : [];
      return { path: at, reason: `must not list the same value twice (${describe(list[Number(p.j)])} at [${String(p.j)}] and [${String(p.i)}])` };
    }
    default:
      return { path: at, reason: `${e.message ?? 'is invalid'} (got ${got})` };
  }
}

function rangeText(schema: Record<string, unknown>): string {
  const min = schema.minimum as number;
  const max = schema.maximum as number;
  return `must be an integer from ${min} to ${max}`;
}

/** Walks every key: `__proto__` must never reach an object we build, and depth is bounded. */
function scanKeys(value: unknown, at: Seg[], depth: number, problems: ProblemList): void {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'string' && value.includes('\u0000')) problems.add({ path: fieldPath(at), reason: 'must not contain a NUL character' });
    return;
  }
  if (depth > MAX_DEPTH) {
    problems.add({ path: fieldPath(at), reason: `is nested more than ${MAX_DEPTH} levels deep` });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => scanKeys(v, [...at, i], depth + 1, problems));
    return;
  }
  for (const key of Object.keys(value)) {
    if (key === '__proto__') {
      problems.add({ path: fieldPath([...at, key]), reason: 'is a forbidden key' });
      continue;
    }
    scanKeys((value as Record<string, unknown>)[key], [...at, key], depth + 1, problems);
  }
}

// ---------------------------------------------------------------- semantic checks

type Raw = Record<string, unknown>;
const isObj = (v: unknown): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v);
const own = (o: Raw, k: string): unknown => (Object.hasOwn(o, k) ? o[k] : undefined);
const RUN_FORMS = ['command', 'image', 'dockerfile', 'url'] as const;

function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function semanticChecks(m: Raw, ctx: { root: string; dir: string; allowOutside: boolean }, problems: ProblemList): void {
  const type = own(m, 'type');
  const tier = own(m, 'tier');
  if (typeof type === 'string' && Object.hasOwn(DEFAULT_TIER, type) && typeof tier === 'string' && (TIERS as readonly string[]).includes(tier)) {
    const base = DEFAULT_TIER[type as ConnectorType];
    if (TIERS.indexOf(tier as Tier) < TIERS.indexOf(base)) {
      problems.add({ path: 'tier', reason: `may only raise the default tier of type ${type} (${base}); got ${tier}. Use ${TIERS.slice(TIERS.indexOf(base)).join(' or ')}, or leave it out` });
    }
  }

  const run = own(m, 'run');
  if (isObj(run)) checkRun(run, ctx, problems);

  const webhooks = own(m, 'webhooks');
  const events = isObj(webhooks) && Array.isArray(own(webhooks, 'events')) ? (own(webhooks, 'events') as unknown[]).filter((e): e is string => typeof e === 'string') : undefined;

  const egress = own(m, 'egress');
  if (Array.isArray(egress)) {
    egress.forEach((entry, i) => {
      if (typeof entry !== 'string') return;
      const port = /:(\d+)$/.exec(entry);
      if (port && (Number(port[1]) < 1 || Number(port[1]) > 65535)) {
        problems.add({ path: `egress[${i}]`, reason: `port must be from 1 to 65535 (got ${port[1]} in ${JSON.stringify(entry)})` });
      }
    });
  }

  const effects = own(m, 'effects');
  if (isObj(effects)) {
    for (const [event, value] of Object.entries(effects)) {
      if (event === '__proto__') continue;
      const base = fieldPath(['effects', event]);
      if (events && !events.includes(event) && !problems.hasExactly(base)) {
        problems.add({ path: base, reason: `event ${printable(JSON.stringify(truncate(event)))} is not in webhooks.events (${printable(truncate(events.join(', '), 300)) || 'none'}), so the connector would never receive it` });
      }
      const entries: Array<[string, unknown]> = Array.isArray(value) ? value.map((v, i) => [`${base}[${i}]`, v]) : [[base, value]];
      for (const [at, entry] of entries) {
        if (!isObj(entry)) continue;
        const call = own(entry, 'call');
        if (typeof call === 'string' && call.length > 0) {
          const r = tryParseEffectCall(call);
          if (!r.ok) problems.add({ path: `${at}.call`, reason: r.reason });
        }
        const min = own(entry, 'min');
        const max = own(entry, 'max');
        if (Number.isInteger(min) && Number.isInteger(max) && (min as number) > (max as number)) {
          problems.add({ path: `${at}.min`, reason: `must not exceed max (got min ${String(min)} > max ${String(max)})` });
        }
      }
    }
  }
}

function checkRun(run: Raw, ctx: { root: string; dir: string; allowOutside: boolean }, problems: ProblemList): void {
  const forms = RUN_FORMS.filter((f) => own(run, f) !== undefined);
  if (forms.length === 0) {
    problems.add({ path: 'run', reason: 'needs exactly one of run.command, run.image, run.dockerfile or run.url (found none)' });
  } else if (forms.length > 1) {
    problems.add({ path: 'run', reason: `needs exactly one of run.command, run.image, run.dockerfile or run.url (found ${forms.join(' and ')})` });
  }
  if (own(run, 'args') !== undefined && own(run, 'image') === undefined && own(run, 'dockerfile') === undefined) {
    problems.add({ path: 'run.args', reason: 'is only used with run.image or run.dockerfile; with run.command, put the arguments in the command list' });
  }
  if (own(run, 'buildArgs') !== undefined && own(run, 'dockerfile') === undefined) {
    problems.add({ path: 'run.buildArgs', reason: 'is only used with run.dockerfile' });
  }
  if (own(run, 'url') !== undefined && forms.length === 1) {
    // The harness does not start a connector given by URL, so these would be silently ignored.
    for (const field of ['cwd', 'port', 'env'] as const) {
      if (own(run, field) !== undefined) problems.add({ path: `run.${field}`, reason: 'has no effect with run.url (the harness does not start that connector); remove it' });
    }
  }
  const command = own(run, 'command');
  if (Array.isArray(command) && command[0] === '') {
    problems.add({ path: 'run.command[0]', reason: 'must name the program to run (got an empty string)' });
  }
  const url = own(run, 'url');
  if (typeof url === 'string' && /^https?:\/\//.test(url)) {
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(url).protocol);
    } catch {
      ok = false;
    }
    if (!ok) problems.add({ path: 'run.url', reason: `is not a valid http(s) URL (got ${describe(url)})` });
  }
  const env = own(run, 'env');
  if (isObj(env)) {
    for (const [key, value] of Object.entries(env)) {
      if (typeof value !== 'string' || key === '__proto__') continue;
      const t = tokenizeEnvTemplate(value);
      if (!t.ok) problems.add({ path: fieldPath(['run', 'env', key]), reason: t.reason });
    }
  }
  for (const field of ['cwd', 'dockerfile'] as const) {
    const value = own(run, field);
    if (typeof value !== 'string' || value.length === 0 || value.includes('\u0000')) continue;
    const resolved = path.resolve(ctx.dir, value);
    if (!ctx.allowOutside && !isInside(ctx.root, resolved)) {
      problems.add({ path: `run.${field}`, reason: `resolves to ${printable(resolved)}, outside the project folder ${printable(ctx.root)}; keep it inside or allow paths outside the project explicitly` });
    }
  }
}

// ---------------------------------------------------------------- normalisation

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function stringMap(v: unknown): Record<string, string> {
  // fromEntries defines own properties: no key can reach Object.prototype.
  return isObj(v) ? Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string')) : {};
}

function normalise(m: Raw, source: { path: string; dir: string }): Manifest {
  const run = own(m, 'run') as Raw;
  const webhooks = own(m, 'webhooks') as Raw;
  const sla = isObj(own(m, 'sla')) ? (own(m, 'sla') as Raw) : {};
  const type = own(m, 'type') as ConnectorType;
  const declared = own(m, 'tier') as Tier | undefined;
  const tier = declared ?? DEFAULT_TIER[type];

  const runSpec: RunSpec = {
    cwd: path.resolve(source.dir, typeof own(run, 'cwd') === 'string' ? (own(run, 'cwd') as string) : '.'),
    startTimeoutMs: (own(run, 'startTimeoutMs') as number | undefined) ?? MANIFEST_DEFAULTS.startTimeoutMs,
    env: stringMap(own(run, 'env')),
  };
  if (own(run, 'command') !== undefined) runSpec.command = strings(own(run, 'command'));
  if (own(run, 'port') !== undefined) runSpec.port = own(run, 'port') as number;
  if (own(run, 'healthPath') !== undefined) runSpec.healthPath = own(run, 'healthPath') as string;
  if (own(run, 'image') !== undefined) runSpec.image = own(run, 'image') as string;
  if (own(run, 'dockerfile') !== undefined) runSpec.dockerfile = path.resolve(source.dir, own(run, 'dockerfile') as string);
  if (own(run, 'buildArgs') !== undefined) runSpec.buildArgs = stringMap(own(run, 'buildArgs'));
  if (own(run, 'args') !== undefined) runSpec.args = strings(own(run, 'args'));
  if (own(run, 'url') !== undefined) runSpec.url = own(run, 'url') as string;

  const effects: Array<[string, EffectRule[]]> = [];
  const rawEffects = own(m, 'effects');
  if (isObj(rawEffects)) {
    for (const [event, value] of Object.entries(rawEffects)) {
      const list = (Array.isArray(value) ? value : [value]) as Raw[];
      effects.push([
        event,
        list.map((entry) => {
          const call = own(entry, 'call') as string;
          const parsed = tryParseEffectCall(call);
          if (!parsed.ok) throw new GauntletError('GAUNTLET_ERR_INTERNAL', `effect call passed validation but does not parse: ${parsed.reason}`);
          const rule: EffectRule = { call: call.trim(), ...parsed.value, cancelledBy: strings(own(entry, 'cancelledBy')) };
          if (own(entry, 'max') !== undefined) rule.max = own(entry, 'max') as number;
          if (own(entry, 'min') !== undefined) rule.min = own(entry, 'min') as number;
          return rule;
        }),
      ]);
    }
  }

  const manifest: Manifest = {
    apiVersion: 'gauntlet/v1',
    name: own(m, 'name') as string,
    version: own(m, 'version') as string,
    type,
    tier,
    run: runSpec,
    webhooks: {
      path: own(webhooks, 'path') as string,
      scheme: own(webhooks, 'scheme') as SignatureScheme,
      events: strings(own(webhooks, 'events')),
      toleranceSec: (own(webhooks, 'toleranceSec') as number | undefined) ?? MANIFEST_DEFAULTS.toleranceSec,
    },
    scopes: strings(own(m, 'scopes')),
    // Host names are case-insensitive; one spelling keeps egress matching simple.
    egress: strings(own(m, 'egress')).map((e) => e.toLowerCase()),
    effects: Object.fromEntries(effects),
    sla: {
      ackMs: (own(sla, 'ackMs') as number | undefined) ?? MANIFEST_DEFAULTS.ackMs,
      outboundTimeoutMs: (own(sla, 'outboundTimeoutMs') as number | undefined) ?? MANIFEST_DEFAULTS.outboundTimeoutMs,
    },
    services: strings(own(m, 'services')) as ServiceKind[],
    source,
  };
  if (typeof own(m, 'owner') === 'string') manifest.owner = own(m, 'owner') as string;
  return manifest;
}
