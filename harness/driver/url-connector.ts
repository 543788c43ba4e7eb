import { GauntletError } from '../errors.js';
import { probe, waitUntilReady, describeTarget, type ReadinessTarget } from './health-probe.js';
import { EMPTY_LOG_TAIL } from './log-capture.js';
import type { ExitInfo, LogTail, RunningConnector, StartResult } from './types.js';

/** A connector someone else runs (`run.url`): the harness neither starts nor stops it. */
export class UrlConnector implements RunningConnector, AsyncDisposable {
  readonly logs: LogTail = EMPTY_LOG_TAIL;
  /** No process of ours. */
  readonly pid: number | undefined = undefined;

  constructor(
    readonly baseUrl: string,
    readonly port: number,
    private readonly readiness: ReadinessTarget,
  ) {}

  exitInfo(): ExitInfo | undefined {
    return undefined;
  }

  async checkHealth(timeoutMs = 1000): Promise<boolean> {
    return (await probe(this.readiness, Math.max(1, timeoutMs))).ok;
  }

  /** Not ours to stop. */
  async stop(): Promise<void> {}

  async [Symbol.asyncDispose](): Promise<void> {}
}

/**
 * Use an already running connector at `url`, once it is ready.
 *
 * @example
 * const started = await connectToUrl('http://127.0.0.1:8080', '/health', 5000);
 */
export async function connectToUrl(
  url: string,
  healthPath: string | undefined,
  timeoutMs: number,
  now: () => number = Date.now,
): Promise<StartResult<UrlConnector>> {
  const t0 = now();
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid('run.url', `"${url.slice(0, 200)}" is not an absolute URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw invalid('run.url', 'must be an http:// or https:// URL');
  if (healthPath !== undefined && !healthPath.startsWith('/')) throw invalid('run.healthPath', 'must start with /');
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw invalid('run.startTimeoutMs', 'must be a positive number of milliseconds');

  const port = parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80;
  // Keep a path prefix (a connector behind a gateway), drop the trailing slash so paths join cleanly.
  const baseUrl = `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const readiness: ReadinessTarget = healthPath
    ? { kind: 'http', url: new URL(`${baseUrl}${healthPath}`) }
    : { kind: 'tcp', host, port };
  const wait = await waitUntilReady(readiness, { timeoutMs, now });
  if (wait.ready) return { ok: true, connector: new UrlConnector(baseUrl, port, readiness), startMs: now() - t0 };
  return {
    ok: false,
    reason: 'not-healthy-in-time',
    message: `${baseUrl} did not become healthy within ${timeoutMs} ms (${describeTarget(readiness)}: ${wait.lastDetail})`,
    logs: EMPTY_LOG_TAIL,
    elapsedMs: now() - t0,
  };
}

function invalid(path: string, reason: string): GauntletError {
  return new GauntletError('GAUNTLET_ERR_MANIFEST_INVALID', 'cannot use the running connector', { problems: [{ path, reason }] });
}
