import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { isLiveState, listProcesses, readEnvironValue } from '../../../harness/driver/proc-table.js';
import { PROCESS_TAG_ENV } from '../../../harness/driver/process-tree.js';
import type { StartProcessOptions } from '../../../harness/driver/process-connector.js';

export const HOSTILE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/hostile');

/** Start options for a hostile fixture, read from its own connector.yaml (so the manifests stay honest). */
export function fixtureOptions(name: string, env: Record<string, string> = {}): StartProcessOptions {
  const dir = path.join(HOSTILE_DIR, name);
  const manifest = parse(readFileSync(path.join(dir, 'connector.yaml'), 'utf8')) as {
    run: { command: string[]; healthPath?: string; startTimeoutMs: number };
  };
  return {
    command: manifest.run.command,
    cwd: dir,
    env,
    ...(manifest.run.healthPath ? { healthPath: manifest.run.healthPath } : {}),
    startTimeoutMs: manifest.run.startTimeoutMs,
  };
}

/** Live processes carrying this tag, found independently of the tracker's own records. */
export function liveTagged(tag: string): number[] {
  return listProcesses()
    .filter((e) => isLiveState(e.state) && readEnvironValue(e.pid, PROCESS_TAG_ENV) === tag)
    .map((e) => e.pid);
}

export async function waitFor(check: () => boolean, timeoutMs: number, stepMs = 50): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return check();
}
