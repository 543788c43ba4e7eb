// acme-refunds: scores captured payments and executes requested refunds at the acquirer.
// Entry point: configuration, the Standard Webhooks verifier, and wiring.

import { Webhook } from 'standardwebhooks';
import { createServer, installShutdown } from './lib/app.mjs';
import { ConfigError, readConfig } from './lib/config.mjs';
import { createEffects } from './lib/effects.mjs';
import { createLogger, describeError } from './lib/log.mjs';
import { TokenCache } from './lib/outbound.mjs';
import { WorkQueue } from './lib/work-queue.mjs';

const SCOPES = ['risk:write', 'refunds:write'];

/**
 * Standard Webhooks verification over the exact bytes received. The library checks the
 * HMAC against every signature in the header (key rotation) and a ±5 min window; the
 * extra header checks close gaps it leaves: it parses the timestamp with parseInt, so
 * "1767225600abc" or a value in milliseconds would otherwise reach the HMAC step.
 */
export function standardWebhooksVerifier(secret) {
  const wh = new Webhook(secret); // throws on an empty or non-base64 key: we refuse to start
  return (raw, headers) => {
    const id = headers['webhook-id'];
    const timestamp = headers['webhook-timestamp'];
    const signature = headers['webhook-signature'];
    if (typeof id !== 'string' || id.length === 0 || id.length > 255) throw new Error('bad webhook-id');
    if (typeof timestamp !== 'string' || !/^[0-9]{1,10}$/.test(timestamp)) throw new Error('bad webhook-timestamp');
    if (typeof signature !== 'string' || signature.length === 0 || signature.length > 4096) throw new Error('bad webhook-signature');
    wh.verify(raw, { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature }, { jsonParse: false });
  };
}

export function start(env = process.env) {
  const config = readConfig(env);
  const log = createLogger({ runId: config.runId });
  const verify = standardWebhooksVerifier(config.webhookSecret);
  const abort = new AbortController();
  const tokens = new TokenCache({ hubUrl: config.hubUrl, clientId: config.clientId, clientSecret: config.clientSecret, scopes: SCOPES, log });
  const effects = createEffects({ hubUrl: config.hubUrl, acquirerUrl: config.acquirerUrl, tokens, log, signal: abort.signal });
  const queue = new WorkQueue({
    concurrency: 4,
    run: (event) => effects.process(event),
    onError: (err, event) => log.error('worker failed', { event_id: event.id, error: describeError(err) }),
  });
  let shutdown;
  const server = createServer({ verify, webhookPath: '/webhooks', queue, effects, log, isDraining: () => shutdown?.isStopping() ?? false });
  shutdown = installShutdown({ server, queue, abort, log });
  server.listen(config.port, () => log.info('listening', { port: config.port }));
  return server;
}

try {
  start();
} catch (err) {
  const reason = err instanceof ConfigError ? err.message : `startup failed (${describeError(err)})`;
  process.stderr.write(`acme-refunds: ${reason}\n`);
  process.exit(1);
}
