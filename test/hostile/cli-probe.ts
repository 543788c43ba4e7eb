import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isLiveState, listProcesses, readEnvironValue } from '../../harness/driver/proc-table.js';
import { PROCESS_TAG_ENV } from '../../harness/driver/process-tree.js';
import { BIN, ROOT } from '../helpers/cli.js';

/**
 * The CLI under test. GAUNTLET_TEST_BIN points at another build (a private snapshot while
 * others rebuild the shared dist/); by default the repository's own bin.
 */
export const CLI_BIN = process.env.GAUNTLET_TEST_BIN ?? BIN;

/** The hostile fixtures in the repository; tests run copies of them (see `copyFixtures`). */
export const HOSTILE_SRC = path.join(ROOT, 'test/fixtures/hostile');
/** Cap on what a probe keeps of the CLI's stdout/stderr: a flood must not fill the test's memory either. */
const OUTPUT_CAP = 2_000_000;

/**
 * Copies fixtures into a fresh folder, so every process started from them is recognisable
 * as this file's by its cwd or command line: other test files run the same fixtures at the
 * same time, and a leftover scan must not blame (or miss) theirs.
 */
export function copyFixtures(names: readonly string[], opts: { roomyStart?: readonly string[] } = {}): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gauntlet-hostile-'));
  for (const n of names) {
    cpSync(path.join(HOSTILE_SRC, n), path.join(dir, n), { recursive: true });
    // A fixture that is meant to become healthy gets a start time a loaded CI machine can meet
    // (booting node alone can take over 2 s there); the start-failure fixtures keep their 2000 ms.
    if (opts.roomyStart?.includes(n)) {
      const file = path.join(dir, n, 'connector.yaml');
      const text = readFileSync(file, 'utf8');
      if (!/startTimeoutMs: 2000\b/.test(text)) throw new Error(`${n}: connector.yaml no longer says startTimeoutMs: 2000`);
      writeFileSync(file, text.replace(/startTimeoutMs: 2000\b/, `startTimeoutMs: ${ROOMY_START_MS}`));
    }
  }
  return dir;
}

/** Start time given to fixtures that should start (see `copyFixtures`). */
export const ROOMY_START_MS = 15_000;

export interface ProbeResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** Peak resident set of the CLI process itself (VmHWM), in KiB; 0 if never read. */
  peakRssKiB: number;
  /** The bound the CLI announced (`[gauntlet] watchdog: … exceeds N s`), in ms. */
  boundMs?: number;
  /** Every GAUNTLET_PROCESS_TAG seen on a process whose cwd was under `watchDir` while the CLI ran. */
  tags: Set<string>;
  /** When `interruptWhen` fired: ms after the start, and ms from the first signal to the exit. */
  signalledAtMs?: number;
  exitAfterSignalMs?: number;
  /** From the `VERDICT:` line to the exit: a handle the connector left open would keep the CLI alive here. */
  exitAfterVerdictMs?: number;
}

export interface ProbeOptions {
  /** Hard stop for the test itself (SIGKILL of the CLI); far above any bound under test. */
  killAfterMs: number;
  /** Folder whose processes are watched for their tags (the fixture copies). */
  watchDir?: string;
  env?: Record<string, string>;
  /**
   * Asked on every stderr chunk and every poll until it returns signals: those are then sent to
   * the CLI, 200 ms apart (two for "press Ctrl-C again").
   */
  interruptWhen?: (seen: { stderr: string; tags: ReadonlySet<string> }) => NodeJS.Signals[] | undefined;
}

function vmHwmKiB(pid: number): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function cwdOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return undefined;
  }
}

function cmdlineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** Tags of live processes running from under `dir`. */
function tagsUnder(dir: string, into: Set<string>): void {
  for (const e of listProcesses()) {
    if (!isLiveState(e.state)) continue;
    const cwd = cwdOf(e.pid);
    if (!cwd?.startsWith(dir)) continue;
    const tag = readEnvironValue(e.pid, PROCESS_TAG_ENV);
    if (tag) into.add(tag);
  }
}

/**
 * Runs the built CLI as a black box and watches it from outside: peak RSS from /proc (polled
 * every 100 ms; VmHWM is the kernel's own high-water mark, so polling only has to catch the
 * process alive), the tags of the connector processes it starts, output capped.
 */
export function probeCli(args: string[], opts: ProbeOptions): Promise<ProbeResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', CI: 'true', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let peak = 0;
    const tags = new Set<string>();
    const pid = child.pid!;
    let signalledAt: number | undefined;
    const send = (sig: NodeJS.Signals) => {
      try {
        child.kill(sig);
      } catch {
        // Already gone.
      }
    };
    const maybeInterrupt = () => {
      if (!opts.interruptWhen || signalledAt !== undefined) return;
      const sigs = opts.interruptWhen({ stderr, tags });
      if (!sigs?.length) return;
      signalledAt = Date.now();
      sigs.forEach((sig, i) => (i === 0 ? send(sig) : setTimeout(() => send(sig), 200 * i)));
    };
    let verdictAt: number | undefined;
    child.stdout.on('data', (d: Buffer) => {
      if (stdout.length < OUTPUT_CAP) stdout += d.toString('utf8');
      if (verdictAt === undefined && stdout.includes('VERDICT:')) verdictAt = Date.now();
    });
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < OUTPUT_CAP) stderr += d.toString('utf8');
      maybeInterrupt();
    });
    const poll = setInterval(() => {
      peak = Math.max(peak, vmHwmKiB(pid));
      if (opts.watchDir) tagsUnder(opts.watchDir, tags);
      maybeInterrupt();
    }, 100);
    const killer = setTimeout(() => child.kill('SIGKILL'), opts.killAfterMs);
    child.on('error', reject);
    child.on('exit', () => {
      // The last poll may have missed the final peak; /proc/<pid> is gone after exit, so this is best effort.
      peak = Math.max(peak, vmHwmKiB(pid));
    });
    child.on('close', (code, signal) => {
      clearInterval(poll);
      clearTimeout(killer);
      const m = /\[gauntlet\] watchdog: the run is stopped with a partial report if it ever exceeds (\d+) s/.exec(stderr);
      const ended = Date.now();
      resolve({
        code,
        signal,
        stdout,
        stderr,
        ms: ended - started,
        peakRssKiB: peak,
        ...(m ? { boundMs: Number(m[1]) * 1000 } : {}),
        tags,
        ...(signalledAt !== undefined ? { signalledAtMs: signalledAt - started, exitAfterSignalMs: ended - signalledAt } : {}),
        ...(verdictAt !== undefined ? { exitAfterVerdictMs: ended - verdictAt } : {}),
      });
    });
  });
}

export interface Leftover {
  pid: number;
  why: string;
  cmdline: string;
}

/**
 * Live processes that belong to a finished run: a tag the run's connectors carried, or a cwd
 * or command line under the fixture copies. Zombies do not count (they hold only a pid, and
 * their parent, not the harness, reaps them).
 */
export function findLeftovers(dir: string, tags: ReadonlySet<string>): Leftover[] {
  const out: Leftover[] = [];
  for (const e of listProcesses()) {
    if (!isLiveState(e.state) || e.pid === process.pid) continue;
    const tag = readEnvironValue(e.pid, PROCESS_TAG_ENV);
    const cwd = cwdOf(e.pid);
    const cmdline = cmdlineOf(e.pid);
    let why: string | undefined;
    if (tag && tags.has(tag)) why = `${PROCESS_TAG_ENV}=${tag}`;
    else if (cwd?.startsWith(dir)) why = `cwd ${cwd}`;
    else if (cmdline.includes(dir)) why = 'command line';
    if (why) out.push({ pid: e.pid, why, cmdline: cmdline.slice(0, 200) });
  }
  return out;
}

/** Waits (bounded) for leftovers to disappear: a SIGKILLed process takes a moment to leave /proc. */
export async function leftoversAfter(dir: string, tags: ReadonlySet<string>, waitMs = 3_000): Promise<Leftover[]> {
  const end = Date.now() + waitMs;
  let found = findLeftovers(dir, tags);
  while (found.length > 0 && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    found = findLeftovers(dir, tags);
  }
  return found;
}

/** Runs `tasks` with at most `limit` in flight; results in input order. */
export async function pool<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
