import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_TIME_BUDGET_MS,
  parseDurationMs,
  parsePositiveInt,
  parseReportDir,
  parseSandboxKind,
  parseSeed,
  parseShard,
} from '../../../harness/cli/flags.js';
import { GauntletError } from '../../../harness/errors.js';

function flagError(fn: () => unknown): GauntletError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(GauntletError);
    expect((e as GauntletError).code).toBe('GAUNTLET_ERR_FLAG_INVALID');
    return e as GauntletError;
  }
  throw new Error('expected GAUNTLET_ERR_FLAG_INVALID');
}

describe('parseSeed', () => {
  it('accepts non-negative decimal safe integers', () => {
    expect(parseSeed('0')).toBe(0);
    expect(parseSeed(' 42 ')).toBe(42);
    expect(parseSeed(String(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
  });
  it.each(['', '-1', '1.5', '0x10', '1e3', 'abc', String(Number.MAX_SAFE_INTEGER + 1), '99999999999999999999', 'NaN'])('rejects %j naming --seed', (v) => {
    expect(flagError(() => parseSeed(v)).message).toMatch(/^--seed must be a non-negative whole number/);
  });
  it('round-trips every safe integer (property)', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (n) => {
        expect(parseSeed(String(n))).toBe(n);
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseDurationMs', () => {
  const budget = parseDurationMs('--time-budget', MAX_TIME_BUDGET_MS);
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['1500', 1500],
    ['1.5s', 1500],
    ['0.1s', 100],
    [' 10 S ', 10_000],
  ])('parses %j', (v, ms) => expect(budget(v)).toBe(ms));
  it.each(['0', '0s', '-5s', '', 'NaN', 'abc', '5d', '3h', '7200001', '1.5ms', '1e3', 'Infinity', '5 m s'])('rejects %j naming the flag and the bound', (v) => {
    expect(flagError(() => budget(v)).message).toMatch(/^--time-budget must be a duration .* at most 2h/);
  });
  it('accepts exactly the positive whole ms up to the bound (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -10, max: MAX_TIME_BUDGET_MS + 10 }), fc.constantFrom('', 'ms'), (n, unit) => {
        const ok = n >= 1 && n <= MAX_TIME_BUDGET_MS;
        if (ok) expect(budget(`${n}${unit}`)).toBe(n);
        else expect(() => budget(`${n}${unit}`)).toThrow(GauntletError);
      }),
      { numRuns: 500 },
    );
  });
});

describe('parsePositiveInt', () => {
  const conc = parsePositiveInt('--concurrency', 64);
  it('accepts 1..max and rejects the rest, naming the flag', () => {
    expect(conc('1')).toBe(1);
    expect(conc('64')).toBe(64);
    for (const v of ['0', '65', '-1', '2.5', '', 'x', '1e1']) {
      expect(flagError(() => conc(v)).message).toMatch(/^--concurrency must be a whole number from 1 to 64/);
    }
  });
});

describe('parseShard', () => {
  it('parses i/n', () => {
    expect(parseShard('1/1')).toEqual({ index: 1, total: 1 });
    expect(parseShard('3/64')).toEqual({ index: 3, total: 64 });
  });
  it.each(['0/4', '5/4', '1/65', '1/0', '1', '1/2/3', 'a/b', '-1/2', '1.5/2', ''])('rejects %j', (v) => {
    expect(flagError(() => parseShard(v)).message).toMatch(/^--shard must be i\/n/);
  });
  it('accepts exactly 1 ≤ i ≤ n ≤ 64 (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -2, max: 70 }), fc.integer({ min: -2, max: 70 }), (i, n) => {
        const ok = i >= 1 && n <= 64 && i <= n;
        if (ok) expect(parseShard(`${i}/${n}`)).toEqual({ index: i, total: n });
        else expect(() => parseShard(`${i}/${n}`)).toThrow(GauntletError);
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseSandboxKind', () => {
  it('accepts the two kinds and rejects others', () => {
    expect(parseSandboxKind('embedded')).toBe('embedded');
    expect(parseSandboxKind('Containers')).toBe('containers');
    expect(flagError(() => parseSandboxKind('docker')).message).toBe('--sandbox must be one of embedded, containers (got "docker")');
  });
});

describe('parseReportDir', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'gauntlet-flags-'));
    await writeFile(path.join(dir, 'a-file'), 'x');
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('accepts an existing or missing folder and returns it absolute', () => {
    expect(parseReportDir(dir)).toBe(dir);
    expect(parseReportDir(path.join(dir, 'new', 'deeper'))).toBe(path.join(dir, 'new', 'deeper'));
    expect(path.isAbsolute(parseReportDir('reports-out'))).toBe(true);
  });
  it('rejects an existing file, a path through a file, and empty text', () => {
    expect(flagError(() => parseReportDir(path.join(dir, 'a-file'))).message).toMatch(/^--report-dir must be a folder, not an existing file/);
    expect(flagError(() => parseReportDir(path.join(dir, 'a-file', 'x'))).message).toMatch(/^--report-dir/);
    expect(flagError(() => parseReportDir('  ')).message).toMatch(/^--report-dir must be a folder path/);
  });
});

describe('with commander', () => {
  it('works as option parsers, and errors propagate as GauntletError', () => {
    const program = new Command()
      .exitOverride()
      .option('--seed <n>', 'seed', parseSeed)
      .option('--time-budget <d>', 'budget', parseDurationMs('--time-budget', MAX_TIME_BUDGET_MS))
      .option('--shard <i/n>', 'shard', parseShard)
      .option('--sandbox <kind>', 'sandbox', parseSandboxKind);
    program.parse(['--seed', '7', '--time-budget', '30s', '--shard', '2/4', '--sandbox', 'embedded'], { from: 'user' });
    expect(program.opts()).toEqual({ seed: 7, timeBudget: 30_000, shard: { index: 2, total: 4 }, sandbox: 'embedded' });
    expect(() => new Command().exitOverride().option('--seed <n>', 'seed', parseSeed).parse(['--seed', '-1'], { from: 'user' })).toThrow(GauntletError);
  });
});
