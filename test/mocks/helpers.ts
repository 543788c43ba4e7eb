/** Shared set-up for mock tests: real loopback servers, a manual clock, one ledger. */
import { Ledger } from '../../harness/model/ledger.js';
import { generateRunSecrets } from '../../harness/sandbox/secrets.js';
import type { RunSecrets } from '../../harness/sandbox/types.js';
import { createAcquirer } from '../../mocks/acquirer.js';
import { createHub } from '../../mocks/hub.js';
import { recordRefused, recordUnhandled } from '../../mocks/hub/call.js';
import { serveHandlers } from '../../mocks/serve-handlers.js';

export const ALL_SCOPES = ['payments:read', 'risk:write', 'refunds:write', 'payouts:write', 'customers:read', 'exports:write'];

export interface ManualClock {
  now: () => number;
  advance(ms: number): void;
}

export function manualClock(start = Date.UTC(2026, 0, 1)): ManualClock {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

export async function startHub(opts: { scopesAllowed?: string[]; maxBodyBytes?: number } = {}) {
  const clock = manualClock();
  const ledger = new Ledger(clock.now);
  const secrets: RunSecrets = generateRunSecrets('standard-webhooks');
  const hub = createHub({ ledger, secrets, scopesAllowed: opts.scopesAllowed ?? ALL_SCOPES, now: clock.now, seed: 7 });
  const served = await serveHandlers(hub.handlers, {
    maxBodyBytes: opts.maxBodyBytes ?? 1 << 20,
    onUnhandled: (request, info) => recordUnhandled(ledger, 'hub', request, info.path),
    onTooLarge: (info) => recordRefused(ledger, 'hub', info.method, info.path, 413),
  });
  const basic = 'Basic ' + Buffer.from(`${secrets.clientId}:${secrets.clientSecret}`).toString('base64');
  /** A token with the given scopes (default: all allowed). */
  const token = async (scope?: string): Promise<string> => {
    const body = new URLSearchParams({ grant_type: 'client_credentials', ...(scope !== undefined ? { scope } : {}) });
    const res = await fetch(`${served.url}/oauth/token`, { method: 'POST', headers: { authorization: basic }, body });
    if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { access_token: string }).access_token;
  };
  return { url: served.url, served, control: hub.control, ledger, secrets, clock, basic, token, close: () => served.close() };
}

export async function startAcquirer() {
  const ledger = new Ledger();
  const acq = createAcquirer({ ledger, seed: 3 });
  const served = await serveHandlers(acq.handlers, {
    maxBodyBytes: 1 << 20,
    onUnhandled: (request, info) => recordUnhandled(ledger, 'acquirer', request, info.path),
    onTooLarge: (info) => recordRefused(ledger, 'acquirer', info.method, info.path, 413),
  });
  return { url: served.url, served, control: acq.control, routes: acq.routes, ledger, close: () => served.close() };
}

export function json(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}
