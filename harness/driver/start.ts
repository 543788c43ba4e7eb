import type { Manifest } from '../manifest/types.js';
import { EMPTY_LOG_TAIL } from './log-capture.js';
import { startProcessConnector } from './process-connector.js';
import type { StartResult } from './types.js';
import { connectToUrl } from './url-connector.js';

export interface StartConnectorOptions {
  signal?: AbortSignal;
  now?: () => number;
  /** Per stream (default 1 MiB). */
  logCapBytes?: number;
  /** SIGTERM → SIGKILL grace when the connector is stopped (default 3000 ms). */
  stopGraceMs?: number;
}

/**
 * Start the connector a manifest describes (`run.command`) or attach to the one
 * it names (`run.url`). `env` is the connector's complete environment, already
 * expanded; the driver adds only PORT and its process tag.
 */
export async function startConnector(manifest: Manifest, env: Record<string, string>, opts: StartConnectorOptions = {}): Promise<StartResult> {
  const run = manifest.run;
  if (run.url !== undefined) return connectToUrl(run.url, run.healthPath, run.startTimeoutMs, opts.now);
  if (run.command !== undefined) {
    return startProcessConnector({
      command: run.command,
      cwd: run.cwd,
      env,
      ...(run.port !== undefined ? { port: run.port } : {}),
      ...(run.healthPath !== undefined ? { healthPath: run.healthPath } : {}),
      startTimeoutMs: run.startTimeoutMs,
      inheritEnv: [],
      ...opts,
    });
  }
  const form = run.image !== undefined ? 'run.image' : run.dockerfile !== undefined ? 'run.dockerfile' : 'no run form';
  return {
    ok: false,
    reason: 'spawn-failed',
    message: `${manifest.name}: ${form} is not supported by the process driver; use run.command or run.url (container forms need the containers sandbox)`,
    logs: EMPTY_LOG_TAIL,
    elapsedMs: 0,
  };
}
