/**
 * `gauntlet mask` over files: read every input, mask all of them in memory, and only then
 * write each output to a temporary name and rename it, so a bad input leaves nothing behind.
 * Messages name files, line/column positions and JSON pointers, never a value from the input.
 */
import { readFile, rename, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { GauntletError, type ErrorCode } from '../errors.js';
import { detectFormat, maskDocument, MaskInputProblem, type MaskFormat } from './formats.js';
import { randomMaskKey } from './keyed-random.js';
import { Masker } from './masker.js';

/**
 * The code for an input `gauntlet mask` cannot read. FLAG_INVALID (exit 2) until the catalogue
 * has a dedicated GAUNTLET_ERR_MASK_INPUT: the files are the command's arguments.
 */
export const MASK_INPUT_ERROR: ErrorCode = 'GAUNTLET_ERR_MASK_INPUT';
/** Captures beyond this are refused rather than read into memory. */
export const MAX_MASK_INPUT_BYTES = 256 * 1024 * 1024;
export const MIN_KEY_BYTES = 16;

export interface MaskFilesOptions {
  files: string[];
  /** Output directory (created); default: next to each input as `<name>.masked<ext>`. */
  outDir?: string;
  /** HMAC key; default: random for this call (masks are consistent within the call only). */
  key?: Buffer;
  format?: MaskFormat;
  locale?: string;
}

export interface MaskedFile {
  input: string;
  output: string;
  format: MaskFormat;
  /** Masked values by rule, e.g. `{ card: 2, email: 5 }` (never the values). */
  counts: Record<string, number>;
}

/**
 * Masks each file into its output. Throws a GauntletError (exit 2) naming the file and the
 * position for the first bad input, before anything is written.
 *
 * @example
 * const done = await maskFiles({ files: ['capture.har'], outDir: 'fixtures', key: await readKeyFile('mask.key') });
 */
export async function maskFiles(opts: MaskFilesOptions): Promise<MaskedFile[]> {
  if (opts.files.length === 0) throw inputError('(none)', 'no input files given');
  const key = opts.key ?? randomMaskKey();
  const masker = new Masker({ key, ...(opts.locale ? { locale: opts.locale } : {}) });
  const outputs = new Map<string, string>();
  const results: Array<MaskedFile & { text: string }> = [];

  for (const file of opts.files) {
    const output = outputPath(file, opts.outDir);
    if (path.resolve(output) === path.resolve(file)) throw inputError(file, 'the output would overwrite the input; pass --out DIR');
    const clash = outputs.get(path.resolve(output));
    if (clash !== undefined) throw inputError(file, `its output ${output} is also the output of ${clash}; pass inputs with different names`);
    outputs.set(path.resolve(output), file);

    const text = await readInput(file);
    const format = detectFormat(file, text, opts.format);
    const before = new Map(masker.counts);
    let masked: string;
    try {
      masked = maskDocument(text, format, masker);
    } catch (e) {
      if (e instanceof MaskInputProblem) throw inputError(file, `${e.where}: ${e.reason}`, format);
      throw e;
    }
    const counts: Record<string, number> = {};
    for (const [rule, n] of masker.counts) if (n - (before.get(rule) ?? 0) > 0) counts[rule] = n - (before.get(rule) ?? 0);
    results.push({ input: file, output, format, counts, text: masked });
  }

  if (opts.outDir) {
    try {
      await mkdir(opts.outDir, { recursive: true });
    } catch (cause) {
      throw new GauntletError('GAUNTLET_ERR_FLAG_INVALID', `--out ${opts.outDir}: cannot create the directory (${codeOf(cause)})`, { problems: [{ path: '--out', reason: 'must be a writable directory' }], cause });
    }
  }
  for (const r of results) await atomicWrite(r.output, r.text);
  return results.map(({ text: _text, ...r }) => r);
}

/** Reads a key file (at least 16 bytes; one trailing newline ignored). */
export async function readKeyFile(file: string): Promise<Buffer> {
  let raw: Buffer;
  try {
    raw = await readFile(file);
  } catch (cause) {
    throw new GauntletError('GAUNTLET_ERR_FLAG_INVALID', `--key-file ${file}: cannot read it (${codeOf(cause)})`, { problems: [{ path: '--key-file', reason: 'must be a readable file' }], cause });
  }
  const key = raw.subarray(0, raw.length - (raw.at(-1) === 0x0a ? (raw.at(-2) === 0x0d ? 2 : 1) : 0));
  return checkKey(key, '--key-file');
}

export function checkKey(key: Buffer, flag: string): Buffer {
  if (key.length < MIN_KEY_BYTES) {
    // The key's length is shown, never the key.
    throw new GauntletError('GAUNTLET_ERR_FLAG_INVALID', `${flag} must hold at least ${MIN_KEY_BYTES} bytes (got ${key.length})`, { problems: [{ path: flag, reason: `at least ${MIN_KEY_BYTES} bytes` }] });
  }
  return key;
}

export function outputPath(file: string, outDir?: string): string {
  if (outDir) return path.join(outDir, path.basename(file));
  const ext = path.extname(file);
  return path.join(path.dirname(file), `${path.basename(file, ext)}.masked${ext}`);
}

async function readInput(file: string): Promise<string> {
  let size: number;
  try {
    const s = await stat(file);
    if (!s.isFile()) throw inputError(file, 'not a regular file');
    size = s.size;
  } catch (cause) {
    if (cause instanceof GauntletError) throw cause;
    throw inputError(file, `cannot read it (${codeOf(cause)})`);
  }
  if (size > MAX_MASK_INPUT_BYTES) throw inputError(file, `${size} bytes is over the ${MAX_MASK_INPUT_BYTES}-byte limit; split the capture`);
  const bytes = await readFile(file);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw inputError(file, `not UTF-8 text (first bad byte near offset ${firstBadUtf8(bytes)})`);
  }
}

function inputError(file: string, reason: string, format?: MaskFormat): GauntletError {
  const what = format ? ` as ${format}` : '';
  return new GauntletError(MASK_INPUT_ERROR, `cannot mask ${file}${what}: ${reason}`, { problems: [{ path: file, reason }] });
}

async function atomicWrite(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(tmp, text, { encoding: 'utf8', mode: 0o600 });
    await rename(tmp, file);
  } catch (cause) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new GauntletError('GAUNTLET_ERR_FLAG_INVALID', `cannot write ${file} (${codeOf(cause)})`, { problems: [{ path: file, reason: 'output not writable' }], cause });
  }
}

function codeOf(e: unknown): string {
  return (e as NodeJS.ErrnoException)?.code ?? (e instanceof Error ? e.name : 'error');
}

function firstBadUtf8(bytes: Buffer): number {
  // Binary search on the longest valid prefix; bounded by log2(size) decodes.
  let lo = 0;
  let hi = bytes.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    try {
      // stream: an incomplete sequence at the cut is not an error; a fresh decoder each time.
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid - 1;
    }
  }
  return lo;
}
