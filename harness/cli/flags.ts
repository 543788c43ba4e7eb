/**
 * Value parsers for commander options (`.option('--seed <n>', 'seed', parseSeed)`).
 * Each returns the typed value or throws GAUNTLET_ERR_FLAG_INVALID naming the flag,
 * the value given and what is allowed, so a typo never turns into a silent default.
 * Commander passes (value, previous): the fixed-flag parsers ignore the second argument.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { GauntletError } from '../errors.js';

export type SandboxKind = 'embedded' | 'containers';
export const SANDBOX_KINDS = ['embedded', 'containers'] as const satisfies readonly SandboxKind[];
export const MAX_SHARDS = 64;
/** Longest `--time-budget`: a run is a CI job, not a soak test. */
export const MAX_TIME_BUDGET_MS = 2 * 60 * 60 * 1000;

export interface Shard {
  /** 1-based index of this shard. */
  index: number;
  total: number;
}

function fail(flag: string, value: unknown, expected: string): never {
  const shown = typeof value === 'string' ? JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value) : String(value);
  throw new GauntletError('GAUNTLET_ERR_FLAG_INVALID', `${flag} must be ${expected} (got ${shown})`, {
    problems: [{ path: flag, reason: `must be ${expected}` }],
  });
}

/** `--seed`: a non-negative safe integer written in decimal. */
export function parseSeed(value: string): number {
  const v = typeof value === 'string' ? value.trim() : '';
  if (!/^\d{1,16}$/.test(v) || !Number.isSafeInteger(Number(v))) {
    fail('--seed', value, `a non-negative whole number in decimal, at most ${Number.MAX_SAFE_INTEGER}`);
  }
  return Number(v);
}

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** Text of a millisecond bound for messages: `2h`, `30s`, `1500ms`. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/**
 * A duration parser for `flag`: `500ms`, `30s`, `5m`, `1h` or plain milliseconds;
 * positive, a whole number of milliseconds, at most `maxMs`.
 * @example program.option('--time-budget <d>', 'wall-clock budget', parseDurationMs('--time-budget', MAX_TIME_BUDGET_MS))
 */
export function parseDurationMs(flag: string, maxMs: number): (value: string) => number {
  const expected = `a duration such as 500ms, 30s, 5m or plain milliseconds, greater than 0 and at most ${formatDuration(maxMs)}`;
  return (value: string) => {
    const m = typeof value === 'string' ? /^(\d{1,12}(?:\.\d{1,6})?)\s*(ms|s|m|h)?$/i.exec(value.trim()) : null;
    if (!m) fail(flag, value, expected);
    const unit = (m[2]?.toLowerCase() ?? 'ms') as keyof typeof UNIT_MS;
    const ms = Number(m[1]) * UNIT_MS[unit];
    // Round away float noise (0.1s = 100.00000000000001ms) but reject real fractions of a ms.
    const rounded = Math.round(ms);
    if (Math.abs(ms - rounded) > 1e-6 || !Number.isSafeInteger(rounded) || rounded <= 0 || rounded > maxMs) fail(flag, value, expected);
    return rounded;
  };
}

/** A parser for a whole number from 1 to `max` (e.g. `--concurrency`). */
export function parsePositiveInt(flag: string, max: number): (value: string) => number {
  const expected = `a whole number from 1 to ${max}`;
  return (value: string) => {
    const v = typeof value === 'string' ? value.trim() : '';
    if (!/^\d{1,16}$/.test(v)) fail(flag, value, expected);
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 1 || n > max) fail(flag, value, expected);
    return n;
  };
}

/** `--shard i/n`: run the i-th of n slices, 1 ≤ i ≤ n ≤ 64. */
export function parseShard(value: string): Shard {
  const expected = `i/n with 1 ≤ i ≤ n ≤ ${MAX_SHARDS} (e.g. 2/4)`;
  const m = typeof value === 'string' ? /^(\d{1,3})\/(\d{1,3})$/.exec(value.trim()) : null;
  if (!m) fail('--shard', value, expected);
  const index = Number(m[1]);
  const total = Number(m[2]);
  if (index < 1 || total < 1 || index > total || total > MAX_SHARDS) fail('--shard', value, expected);
  return { index, total };
}

/** `--sandbox embedded|containers`. */
export function parseSandboxKind(value: string): SandboxKind {
  const v = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (!(SANDBOX_KINDS as readonly string[]).includes(v)) fail('--sandbox', value, `one of ${SANDBOX_KINDS.join(', ')}`);
  return v as SandboxKind;
}

/**
 * `--report-dir`: a folder path (created later by the writer); returned absolute.
 * It may not exist yet, but it must not be an existing file.
 */
export function parseReportDir(value: string): string {
  if (typeof value !== 'string' || value.trim() === '' || value.includes('\u0000')) fail('--report-dir', value, 'a folder path');
  const absolute = path.resolve(value);
  let isFile = false;
  try {
    const st = statSync(absolute);
    isFile = !st.isDirectory();
  } catch (e) {
    // Missing is fine (the report writer creates it); a file in the middle of the path is not.
    if ((e as NodeJS.ErrnoException).code === 'ENOTDIR') fail('--report-dir', value, 'a folder path whose parents are folders, not files');
  }
  if (isFile) fail('--report-dir', value, 'a folder, not an existing file');
  return absolute;
}
