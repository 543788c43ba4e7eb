/**
 * Removal of everything a run created, found by label rather than remembered, so the
 * same code serves a normal stop, Ctrl-C, and the sweep after a harness was killed.
 */
import os from 'node:os';
import type Dockerode from 'dockerode';
import { LABEL_HOST, LABEL_PID, LABEL_RUN_ID } from './labels.js';

export interface RemovalReport {
  containers: number;
  networks: number;
  images: number;
  errors: string[];
}

/** Removes containers, then networks, then images labelled with `runId`. Never throws. */
export async function removeRun(docker: Dockerode, runId: string): Promise<RemovalReport> {
  return removeByFilter(docker, `${LABEL_RUN_ID}=${runId}`);
}

/**
 * Removes leftovers of runs whose harness process (same host, by pid label) is gone.
 * A pid that is alive but was reused by another program keeps its leftovers until it
 * ends: the safe side, since a live harness must never lose its containers.
 */
export async function sweepDeadRuns(docker: Dockerode, isAlive: (pid: number) => boolean = pidAlive, hostName = os.hostname()): Promise<RemovalReport & { runs: string[] }> {
  const total: RemovalReport & { runs: string[] } = { containers: 0, networks: 0, images: 0, errors: [], runs: [] };
  const runs = new Map<string, { pid: number; host: string | undefined }>();
  const note = (labels: Record<string, string> | undefined) => {
    const run = labels?.[LABEL_RUN_ID];
    const pid = Number(labels?.[LABEL_PID]);
    if (run && Number.isInteger(pid)) runs.set(run, { pid, host: labels?.[LABEL_HOST] });
  };
  try {
    for (const c of await docker.listContainers({ all: true, filters: { label: [LABEL_RUN_ID] } })) note(c.Labels);
    for (const n of await docker.listNetworks({ filters: { label: [LABEL_RUN_ID] } })) note(n.Labels);
    for (const i of await docker.listImages({ filters: { label: [LABEL_RUN_ID] } })) note(i.Labels ?? undefined);
  } catch (err) {
    total.errors.push(`listing leftovers: ${String(err)}`);
    return total;
  }
  for (const [run, owner] of runs) {
    if (owner.host !== undefined && owner.host !== hostName) continue;
    if (owner.pid === process.pid || isAlive(owner.pid)) continue;
    const r = await removeRun(docker, run);
    total.runs.push(run);
    total.containers += r.containers;
    total.networks += r.networks;
    total.images += r.images;
    total.errors.push(...r.errors);
  }
  return total;
}

export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function removeByFilter(docker: Dockerode, label: string): Promise<RemovalReport> {
  const out: RemovalReport = { containers: 0, networks: 0, images: 0, errors: [] };
  const attempt = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
      return true;
    } catch (err) {
      const status = (err as { statusCode?: number }).statusCode;
      if (status === 404) return false;
      out.errors.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
      return false;
    }
  };
  const containers = await docker.listContainers({ all: true, filters: { label: [label] } }).catch(() => []);
  await Promise.all(
    containers.map(async (c) => {
      // A paused container must be unpaused before SIGKILL lands (force removal handles both).
      if (await attempt(`container ${c.Id.slice(0, 12)}`, () => docker.getContainer(c.Id).remove({ force: true, v: true }))) out.containers++;
    }),
  );
  for (const n of await docker.listNetworks({ filters: { label: [label] } }).catch(() => [])) {
    if (await attempt(`network ${n.Name}`, () => docker.getNetwork(n.Id).remove())) out.networks++;
  }
  for (const i of await docker.listImages({ filters: { label: [label] } }).catch(() => [])) {
    if (await attempt(`image ${i.Id.slice(7, 19)}`, () => docker.getImage(i.Id).remove({ force: true }))) out.images++;
  }
  return out;
}
