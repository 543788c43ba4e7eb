import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSameLiveProcess, listProcesses, parseStat, readEnvironValue, readStat } from '../../../harness/driver/proc-table.js';

const hasProc = readStat(process.pid) !== undefined;

function statLine(pid: number, comm: string, state: string, ppid: number, pgrp: number, session: number, start: number): string {
  const mid = Array.from({ length: 15 }, (_, i) => String(i + 10)).join(' ');
  return `${pid} (${comm}) ${state} ${ppid} ${pgrp} ${session} ${mid} ${start} 123 456\n`;
}

describe('parseStat', () => {
  it('reads the fields after the last parenthesis, whatever the command name holds', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4_194_304 }),
        fc.string({ maxLength: 15 }).filter((s) => !s.includes('\n')),
        fc.constantFrom('R', 'S', 'D', 'Z', 'T'),
        fc.nat({ max: 4_194_304 }),
        fc.nat({ max: 4_194_304 }),
        fc.nat({ max: 4_194_304 }),
        fc.nat({ max: 2 ** 40 }),
        (pid, comm, state, ppid, pgrp, session, start) => {
          const e = parseStat(statLine(pid, comm, state, ppid, pgrp, session, start));
          expect(e).toEqual({ pid, ppid, pgrp, session, state, startTime: start });
        },
      ),
    );
  });

  it('rejects lines that are not a stat line', () => {
    expect(parseStat('')).toBeUndefined();
    expect(parseStat('12 no parens S 1 2 3')).toBeUndefined();
    expect(parseStat('12 (short) S 1')).toBeUndefined();
  });
});

describe.runIf(hasProc)('/proc reads', () => {
  it('finds this process with its parent and start time', () => {
    const self = readStat(process.pid);
    expect(self?.ppid).toBe(process.ppid);
    expect(listProcesses().some((e) => e.pid === process.pid)).toBe(true);
    expect(isSameLiveProcess(process.pid, self?.startTime ?? -1)).toBe(true);
    expect(isSameLiveProcess(process.pid, (self?.startTime ?? 0) + 1)).toBe(false);
  });

  it('reads a variable from the initial environment', () => {
    expect(readEnvironValue(process.pid, 'PATH')).toBeTypeOf('string');
    expect(readEnvironValue(process.pid, 'GAUNTLET_SURELY_NOT_SET_1234')).toBeUndefined();
    expect(readEnvironValue(2 ** 30, 'PATH')).toBeUndefined();
  });
});
