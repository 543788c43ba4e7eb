import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { GauntletError } from '../errors.js';
import { pickFreePort, portInUse } from './free-port.js';
import { describeTarget, probe, waitUntilReady, type ReadinessTarget } from './health-probe.js';
import { LogCapture, type StreamCaptureOptions } from './log-capture.js';
import { PROCESS_TAG_ENV, ProcessTree } from './process-tree.js';
import { register, unregister, type Reapable } from './reaper.js';
import type { ExitInfo, LogTail, RunningConnector, StartFailureReason, StartResult } from './types.js';

export interface StartProcessOptions {
  /** Program and arguments, e.g. `['node', 'server.mjs']`; not run through a shell. */
  command: string[];
  /** Absolute working directory. */
  cwd: string;
  /** Variables for the connector, already expanded (`${VAR}` resolved by the caller). */
  env: Record<string, string>;
  /** Fixed port from the manifest; otherwise a free loopback port is picked. Either way PORT is set. */
  port?: number;
  /** GET this path → 2xx means ready; without it, ready means the port accepts TCP connections. */
  healthPath?: string;
  startTimeoutMs: number;
  /** Per stream (default 1 MiB). */
  logCapBytes?: number;
  /** Aborting stops the connector and rejects with GAUNTLET_ERR_INTERRUPTED. */
  signal?: AbortSignal;
  now?: () => number;
  /** SIGTERM → SIGKILL grace of `stop()` (default 3000 ms). */
  stopGraceMs?: number;
  /** Upper bound of one readiness probe (default 1000 ms). */
  probeTimeoutMs?: number;
  /**
   * Harness variables passed through to the connector. The connector is untrusted,
   * so nothing else of the harness's environment (CI tokens and the like) reaches it.
   */
  inheritEnv?: readonly string[];
}

export const DEFAULT_INHERITED_ENV: readonly string[] = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TMPDIR', 'SYSTEMROOT'];
export const DEFAULT_STOP_GRACE_MS = 3000;
/** After SIGKILL the kernel needs a moment; waiting longer means something is unkillable (D state). */
export const KILL_WAIT_MS = 2000;
/** A connector that failed to start is owed no graceful shutdown: keep start failures fast. */
export const FAILED_START_GRACE_MS = 300;
const POLL_MS = 50;
const MESSAGE_LOG_LINES = 10;

/** A connector process the driver started; alone it can stop its tree. */
export class ProcessConnector implements RunningConnector, Reapable, AsyncDisposable {
  readonly baseUrl: string;
  readonly pid: number;
  readonly logs: LogCapture;
  readonly tree: ProcessTree;
  /** Resolves when the root process exited (its descendants may live on). */
  readonly exited: Promise<ExitInfo>;
  private exit: ExitInfo | undefined;
  private stopping: Promise<void> | undefined;
  private readonly streamsClosed: Promise<void>;

  constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    private readonly readiness: ReadinessTarget,
    logs: LogCapture,
    tag: string,
    private readonly stopGraceMs: number,
  ) {
    this.pid = child.pid as number;
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.logs = logs;
    this.tree = new ProcessTree(this.pid, tag);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        this.tree.markRootReaped();
        resolve(this.exit);
      });
    });
    this.streamsClosed = new Promise((resolve) => child.once('close', () => resolve()));
    child.on('error', () => undefined);
    register(this);
  }

  exitInfo(): ExitInfo | undefined {
    return this.exit;
  }

  async checkHealth(timeoutMs = 1000): Promise<boolean> {
    if (this.exit || this.stopping) return false;
    return (await probe(this.readiness, Math.max(1, timeoutMs))).ok;
  }

  /** SIGTERM to the tree, SIGKILL after the grace; idempotent (every call gets the same promise). */
  stop(): Promise<void> {
    return this.stopWithGrace(this.stopGraceMs);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** Every pid recorded as part of this connector's tree, alive or not. */
  recordedPids(): number[] {
    return this.tree.recordedPids();
  }

  /** Recorded processes still alive (zombies excluded). */
  livePids(): number[] {
    return this.tree.livePids();
  }

  /** Wait (bounded) until the pipes closed, so the last lines of a crash are captured. */
  async settleLogs(timeoutMs: number): Promise<void> {
    await Promise.race([this.streamsClosed, sleep(timeoutMs)]);
  }

  stopWithGrace(graceMs: number): Promise<void> {
    this.stopping ??= this.terminate(graceMs);
    return this.stopping;
  }

  private quiet(): boolean {
    return this.exit !== undefined && this.tree.livePids().length === 0;
  }

  private async terminate(graceMs: number): Promise<void> {
    try {
      this.tree.scan();
      this.tree.signalAll('SIGTERM');
      const graceEnd = Date.now() + graceMs;
      for (let i = 0; !this.quiet() && Date.now() < graceEnd && i < graceMs / POLL_MS + 1; i++) {
        await sleep(POLL_MS);
        if (i % 4 === 3) this.tree.scan();
      }
      const killEnd = Date.now() + KILL_WAIT_MS;
      // Scan and kill repeatedly: a forking descendant outside the group can add processes between rounds.
      for (let i = 0; !this.quiet() && Date.now() < killEnd && i < KILL_WAIT_MS / POLL_MS + 1; i++) {
        this.tree.scan();
        this.tree.signalAll('SIGKILL');
        await sleep(POLL_MS);
      }
    } finally {
      // A surviving descendant may hold the pipes open forever; stop reading them.
      this.child.stdout?.destroy();
      this.child.stderr?.destroy();
      unregister(this);
    }
  }
}

/**
 * Start a connector process and wait until it is ready.
 *
 * The process runs in its own session and process group, with stdin closed and
 * stdout/stderr captured under a byte cap. A connector that cannot start is a
 * value (`ok: false` with a reason), never an exception; exceptions mean bad
 * options or an interrupted run.
 *
 * @example
 * const started = await startProcessConnector({ command: ['node', 'server.mjs'], cwd, env, healthPath: '/health', startTimeoutMs: 15_000 });
 * if (!started.ok) throw new Error(started.message);
 * try { await fetch(`${started.connector.baseUrl}/webhooks`, { method: 'POST' }); } finally { await started.connector.stop(); }
 */
export async function startProcessConnector(opts: StartProcessOptions): Promise<StartResult<ProcessConnector>> {
  const now = opts.now ?? Date.now;
  const t0 = now();
  validateOptions(opts);
  throwIfAborted(opts.signal);
  const logs = new LogCapture(captureOptions(opts.logCapBytes));
  const shown = opts.command.join(' ');
  const fail = (reason: StartFailureReason, message: string, exit?: ExitInfo): StartResult<ProcessConnector> => ({
    ok: false,
    reason,
    message,
    logs,
    ...(exit ? { exit } : {}),
    elapsedMs: now() - t0,
  });

  if (!isDirectory(opts.cwd)) return fail('spawn-failed', `could not start \`${shown}\`: working directory ${opts.cwd} does not exist or is not a folder`);
  let port = opts.port;
  if (port !== undefined) {
    if (await portInUse(port)) {
      return fail('spawn-failed', `did not start \`${shown}\`: port ${port} on 127.0.0.1 is already in use, so readiness would test another program`);
    }
  } else {
    port = await pickFreePort();
  }

  const tag = randomBytes(12).toString('hex');
  const env: Record<string, string> = { ...inherited(opts.inheritEnv ?? DEFAULT_INHERITED_ENV), ...opts.env, PORT: String(port), [PROCESS_TAG_ENV]: tag };
  const [program, ...args] = opts.command as [string, ...string[]];
  let child: ChildProcess;
  try {
    child = spawn(program, args, { cwd: opts.cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
  } catch (err) {
    return fail('spawn-failed', `could not start \`${shown}\` in ${opts.cwd}: ${errorText(err)}`);
  }
  logs.attach('stdout', child.stdout);
  logs.attach('stderr', child.stderr);
  const spawned = await new Promise<Error | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', (err) => resolve(err));
  });
  if (spawned || child.pid === undefined) {
    const hint = (spawned as NodeJS.ErrnoException | undefined)?.code === 'ENOENT' ? ` (is \`${program}\` installed and on PATH?)` : '';
    return fail('spawn-failed', `could not start \`${shown}\` in ${opts.cwd}: ${errorText(spawned)}${hint}`);
  }

  const readiness: ReadinessTarget = opts.healthPath
    ? { kind: 'http', url: new URL(opts.healthPath, `http://127.0.0.1:${port}`) }
    : { kind: 'tcp', host: '127.0.0.1', port };
  const connector = new ProcessConnector(child, port, readiness, logs, tag, opts.stopGraceMs ?? DEFAULT_STOP_GRACE_MS);
  const aborted = opts.signal ? abortPromise(opts.signal) : undefined;
  const wait = await waitUntilReady(readiness, {
    timeoutMs: opts.startTimeoutMs - (now() - t0),
    probeTimeoutMs: opts.probeTimeoutMs ?? 1000,
    now,
    shouldStop: () => connector.exitInfo() !== undefined || opts.signal?.aborted === true,
    wake: aborted ? Promise.race([connector.exited, aborted]) : connector.exited,
  });

  if (opts.signal?.aborted) {
    await connector.stopWithGrace(FAILED_START_GRACE_MS);
    throw new GauntletError('GAUNTLET_ERR_INTERRUPTED', `start of \`${shown}\` was interrupted; the connector was stopped`);
  }
  if (wait.ready) return { ok: true, connector, startMs: now() - t0 };

  const exit = connector.exitInfo();
  if (exit) {
    await connector.settleLogs(300);
    await connector.stopWithGrace(FAILED_START_GRACE_MS);
    return fail('exited-during-start', `\`${shown}\` ${describeExit(exit)} during start${lastLines(logs)}`, exit);
  }
  await connector.stopWithGrace(FAILED_START_GRACE_MS);
  // No `exit` here: it would only describe the harness's own kill.
  return fail(
    'not-healthy-in-time',
    `\`${shown}\` did not become healthy within ${opts.startTimeoutMs} ms (${describeTarget(readiness)}: ${wait.lastDetail})${lastLines(logs)}`,
  );
}

export function describeExit(exit: ExitInfo): string {
  return exit.signal ? `was killed by signal ${exit.signal}` : `exited with code ${exit.code}`;
}

/** The last lines the connector printed, escaped for a terminal, for a start failure message. */
export function lastLines(logs: LogTail, count = MESSAGE_LOG_LINES): string {
  const stderr = logs.stderrTail(count);
  const which = stderr.length > 0 ? 'stderr' : 'stdout';
  const lines = stderr.length > 0 ? stderr : logs.stdoutTail(count);
  if (lines.length === 0) return '; it printed nothing';
  return `; last ${which} lines:\n${lines.map((l) => `  | ${escapeControl(l)}`).join('\n')}`;
}

/** Control characters (ANSI escapes included) shown as `\xNN`, so a message cannot drive the terminal. */
export function escapeControl(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function validateOptions(opts: StartProcessOptions): void {
  const problems: Array<{ path: string; reason: string }> = [];
  if (!Array.isArray(opts.command) || opts.command.length === 0 || !opts.command.every((a) => typeof a === 'string') || opts.command[0] === '') {
    problems.push({ path: 'run.command', reason: 'must be a non-empty list of strings, program first' });
  }
  if (!Number.isFinite(opts.startTimeoutMs) || opts.startTimeoutMs <= 0) {
    problems.push({ path: 'run.startTimeoutMs', reason: 'must be a positive number of milliseconds' });
  }
  if (opts.port !== undefined && (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65535)) {
    problems.push({ path: 'run.port', reason: 'must be an integer from 1 to 65535' });
  }
  if (opts.healthPath !== undefined && !opts.healthPath.startsWith('/')) {
    problems.push({ path: 'run.healthPath', reason: 'must start with /' });
  }
  if (opts.logCapBytes !== undefined && (!Number.isFinite(opts.logCapBytes) || opts.logCapBytes < 2)) {
    problems.push({ path: 'logCapBytes', reason: 'must be at least 2 bytes' });
  }
  if (problems.length > 0) {
    throw new GauntletError('GAUNTLET_ERR_MANIFEST_INVALID', 'cannot start the connector: invalid run options', { problems });
  }
}

function captureOptions(capBytes: number | undefined): StreamCaptureOptions {
  return capBytes === undefined ? {} : { capBytes };
}

function inherited(keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of keys) {
    const value = process.env[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new GauntletError('GAUNTLET_ERR_INTERRUPTED', 'connector start was interrupted before it began');
}

function abortPromise(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
