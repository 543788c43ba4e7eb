import { listProcesses } from './proc-table.js';
import { pruneTagCache, type ProcessTree } from './process-tree.js';

/** A started process tree the reaper must not let outlive the harness. */
export interface Reapable {
  readonly tree: ProcessTree;
  stop(): Promise<void>;
}

/**
 * How often running trees are rescanned: a child that forks and exits between two
 * scans is still found through the environment tag, so this only needs to be
 * frequent enough to record parents before they die.
 */
export const SCAN_INTERVAL_MS = 250;

const live = new Set<Reapable>();
let timer: NodeJS.Timeout | undefined;
let exitHookInstalled = false;

/** One listing of /proc feeds every live tree. */
export function scanAll(): void {
  if (live.size === 0) return;
  const entries = listProcesses();
  for (const item of live) item.tree.absorb(entries);
  pruneTagCache(entries);
}

export function register(item: Reapable): void {
  live.add(item);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Last resort when the harness dies without stopping its connectors. Only
    // synchronous work runs in 'exit', so: one scan and SIGKILL to every tree.
    process.on('exit', killAllNow);
  }
  if (!timer) {
    timer = setInterval(scanAll, SCAN_INTERVAL_MS);
    timer.unref();
  }
}

export function unregister(item: Reapable): void {
  live.delete(item);
  if (live.size === 0 && timer) {
    clearInterval(timer);
    timer = undefined;
  }
}

/** Number of trees still running (for tests and the CLI's interrupt message). */
export function liveCount(): number {
  return live.size;
}

/** Synchronous SIGKILL of every live tree; safe inside process.on('exit'). */
export function killAllNow(): void {
  try {
    scanAll();
  } catch {
    // Keep killing with what is already recorded.
  }
  for (const item of live) item.tree.signalAll('SIGKILL');
}

/**
 * Stop every connector still running (the CLI calls this on SIGINT), each with
 * its normal SIGTERM → grace → SIGKILL sequence. Never rejects.
 */
export async function reapAll(): Promise<void> {
  await Promise.allSettled([...live].map((item) => item.stop()));
}
