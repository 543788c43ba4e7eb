import { isLiveState, isSameLiveProcess, listProcesses, readEnvironValue, readStat, type ProcEntry } from './proc-table.js';

/**
 * Environment variable the driver adds to every connector it starts. Children
 * inherit it, so a descendant that escaped the process group AND was reparented
 * before any scan saw it (double fork) is still recognised as ours.
 */
export const PROCESS_TAG_ENV = 'GAUNTLET_PROCESS_TAG';

/** Tags read from `/proc/<pid>/environ`, keyed by pid + start time; pruned each scan. */
const tagCache = new Map<string, string | null>();

function tagOf(entry: ProcEntry): string | undefined {
  const key = `${entry.pid}:${entry.startTime}`;
  let tag = tagCache.get(key);
  if (tag === undefined) {
    tag = readEnvironValue(entry.pid, PROCESS_TAG_ENV) ?? null;
    tagCache.set(key, tag);
  }
  return tag ?? undefined;
}

/** Drop cache entries of processes that no longer exist, so the cache stays as small as the process table. */
export function pruneTagCache(entries: readonly ProcEntry[]): void {
  const present = new Set(entries.map((e) => `${e.pid}:${e.startTime}`));
  for (const key of tagCache.keys()) if (!present.has(key)) tagCache.delete(key);
}

/**
 * Every process a connector started, recorded as (pid, start time) so a
 * recycled pid is never mistaken for one of ours. The root is spawned as a
 * session and group leader, so its pid is also its group and session id.
 */
export class ProcessTree {
  private readonly known = new Map<number, number>();
  private rootReaped = false;

  constructor(
    readonly rootPid: number,
    readonly tag: string,
  ) {
    const root = readStat(rootPid);
    if (root) this.known.set(rootPid, root.startTime);
  }

  /** Node reaped the root: from now on its pid may be reused by anyone. */
  markRootReaped(): void {
    this.rootReaped = true;
  }

  /** Record the descendants present in `entries` (one shared listing serves every tree). */
  absorb(entries: readonly ProcEntry[]): void {
    const children = new Map<number, ProcEntry[]>();
    for (const e of entries) {
      const list = children.get(e.ppid);
      if (list) list.push(e);
      else children.set(e.ppid, [e]);
    }
    const isKnown = (e: ProcEntry): boolean => this.known.get(e.pid) === e.startTime;
    // Group/session ids are only trusted while a process we know still holds them:
    // the kernel never hands out a pid that is in use as a group or session id.
    const groupHeld =
      !this.rootReaped ||
      entries.some((e) => isKnown(e) && isLiveState(e.state) && (e.pgrp === this.rootPid || e.session === this.rootPid));

    const queue: ProcEntry[] = [];
    for (const e of entries) {
      if (!isLiveState(e.state)) continue;
      const inGroup = groupHeld && (e.pgrp === this.rootPid || e.session === this.rootPid);
      if (isKnown(e) || inGroup || tagOf(e) === this.tag) queue.push(e);
    }
    // Breadth-first over parent links; each pid is visited once, so this ends.
    const visited = new Set<number>();
    while (queue.length > 0) {
      const e = queue.pop() as ProcEntry;
      if (visited.has(e.pid)) continue;
      visited.add(e.pid);
      // A recorded pid reused by a new member of the tree: the old process is gone, track the new one.
      this.known.set(e.pid, e.startTime);
      for (const child of children.get(e.pid) ?? []) {
        if (child.startTime >= e.startTime && isLiveState(child.state)) queue.push(child);
      }
    }
  }

  /** Fresh listing of `/proc`, absorbed. */
  scan(): void {
    this.absorb(listProcesses());
  }

  /** Every (pid) ever recorded for this tree, dead or alive. */
  recordedPids(): number[] {
    return [...this.known.keys()];
  }

  /** Recorded processes that are still alive (zombies count as dead: they hold no resources but a pid). */
  livePids(): number[] {
    return [...this.known].filter(([pid, start]) => isSameLiveProcess(pid, start)).map(([pid]) => pid);
  }

  /**
   * Signal the process group (one syscall, so a forking group cannot outrun it),
   * then every recorded process that is still the same live process. Never throws.
   */
  signalAll(signal: NodeJS.Signals): number {
    let sent = 0;
    if (this.groupAlive()) {
      try {
        process.kill(-this.rootPid, signal);
        sent++;
      } catch {
        // ESRCH: the group emptied between the check and the kill.
      }
    }
    for (const [pid, start] of this.known) {
      if (!isSameLiveProcess(pid, start)) continue;
      try {
        process.kill(pid, signal);
        sent++;
      } catch {
        // Gone in the meantime.
      }
    }
    return sent;
  }

  private groupAlive(): boolean {
    if (!this.rootReaped) return true;
    for (const [pid, start] of this.known) {
      const e = readStat(pid);
      if (e && e.startTime === start && isLiveState(e.state) && e.pgrp === this.rootPid) return true;
    }
    return false;
  }
}
