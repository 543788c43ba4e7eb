import { readdirSync, readFileSync } from 'node:fs';

/**
 * A read of Linux `/proc`, the only reliable way to find a connector's
 * descendants after they left its process group (setsid, double fork).
 * Every read tolerates the process vanishing between listing and reading.
 */
export interface ProcEntry {
  pid: number;
  ppid: number;
  pgrp: number;
  session: number;
  /** One-letter state; `Z` (zombie) and `X` (dead) count as not alive. */
  state: string;
  /** Clock ticks since boot: with the pid, identifies one process across pid reuse. */
  startTime: number;
}

/** True on platforms with a Linux-style `/proc` (the tree tracker needs it). */
export function procAvailable(): boolean {
  return readStat(process.pid) !== undefined;
}

/**
 * Parse one `/proc/<pid>/stat` line. `comm` sits in parentheses and may itself
 * contain spaces and parentheses, so fields are counted after the LAST `)`.
 */
export function parseStat(line: string): ProcEntry | undefined {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open <= 0 || close < open) return undefined;
  const pid = Number(line.slice(0, open).trim());
  const rest = line.slice(close + 2).split(' ');
  // rest[0] = state (field 3), rest[1] = ppid (4), rest[2] = pgrp (5), rest[3] = session (6), rest[19] = starttime (22)
  const [state, ppid, pgrp, session] = rest;
  const startTime = rest[19];
  if (state === undefined || startTime === undefined) return undefined;
  const entry: ProcEntry = {
    pid,
    ppid: Number(ppid),
    pgrp: Number(pgrp),
    session: Number(session),
    state,
    startTime: Number(startTime),
  };
  const numbers = [entry.pid, entry.ppid, entry.pgrp, entry.session, entry.startTime];
  return numbers.every(Number.isSafeInteger) ? entry : undefined;
}

export function readStat(pid: number): ProcEntry | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return undefined;
  }
}

/** Every process visible now. Bounded by the kernel's process count. */
export function listProcesses(): ProcEntry[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: ProcEntry[] = [];
  for (const name of names) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const entry = readStat(Number(name));
    if (entry) out.push(entry);
  }
  return out;
}

export function isLiveState(state: string): boolean {
  return state !== 'Z' && state !== 'X' && state !== 'x';
}

/** The process `pid` exists, is not a zombie, and is the same one we saw (same start time). */
export function isSameLiveProcess(pid: number, startTime: number): boolean {
  const entry = readStat(pid);
  return entry !== undefined && entry.startTime === startTime && isLiveState(entry.state);
}

const ENVIRON_READ_CAP = 256 * 1024;

/**
 * The value of `name` in the process's initial environment, if readable.
 * A process may exec with a scrubbed environment, so absence proves nothing.
 */
export function readEnvironValue(pid: number, name: string): string | undefined {
  let raw: Buffer;
  try {
    raw = readFileSync(`/proc/${pid}/environ`);
  } catch {
    return undefined;
  }
  const text = raw.subarray(0, ENVIRON_READ_CAP).toString('latin1');
  const key = `${name}=`;
  for (const item of text.split('\0')) {
    if (item.startsWith(key)) return item.slice(key.length);
  }
  return undefined;
}
