// The HTTP side: /health and the webhook endpoint. Order per delivery: size cap →
// content type → signature over the raw bytes → decode/parse → envelope validation →
// de-duplication → queue → 200. Every rejection is a 4xx with a fixed, secret-free body.

import http from 'node:http';
import { BodyTooLarge, discardRest, readCappedBody } from './body.mjs';
import { InvalidBody, classifyEvent, parseJsonBody } from './envelope.mjs';

export const BODY_CAP_BYTES = 1024 * 1024;

function send(res, status, payload, extraHeaders = {}) {
  if (res.headersSent) return;
  const body = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...extraHeaders });
  res.end(body);
}

function isJsonContentType(value) {
  if (value === undefined) return true; // absent is not wrong; a declared non-JSON type is
  const media = String(value).split(';')[0].trim().toLowerCase();
  return media === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(media);
}

/**
 * @param {object} deps
 * @param {(raw: Buffer, headers: import('node:http').IncomingHttpHeaders) => void} deps.verify throws when the signature is not valid
 * @param {string} deps.webhookPath
 * @param {{ offer(key: string, item: object): string }} deps.queue
 * @param {{ noteCancellation(id: string): void, isCancelled(id: string): boolean }} deps.effects
 */
export function createServer({ verify, webhookPath, queue, effects, log, isDraining }) {
  async function handleWebhook(req, res) {
    let raw;
    try {
      raw = await readCappedBody(req, BODY_CAP_BYTES);
    } catch (err) {
      if (err instanceof BodyTooLarge) {
        // No `Connection: close`: closing while the client still uploads makes it see a
        // reset instead of this answer. The rest is drained (not kept), within bounds.
        send(res, 413, { error: 'payload_too_large' });
        discardRest(req);
        log.warn('delivery rejected', { outcome: 'too-large', status: 413 });
        return;
      }
      send(res, 400, { error: 'unreadable_body' }, { connection: 'close' });
      return;
    }
    if (!isJsonContentType(req.headers['content-type'])) {
      send(res, 415, { error: 'unsupported_media_type' });
      return;
    }
    try {
      verify(raw, req.headers);
    } catch {
      // Never echo the library's message: some libraries put expected values in it.
      send(res, 401, { error: 'invalid_signature' });
      log.warn('delivery rejected', { outcome: 'bad-signature', status: 401 });
      return;
    }
    let body;
    try {
      body = parseJsonBody(raw);
    } catch (err) {
      send(res, 400, { error: 'invalid_body', reason: err instanceof InvalidBody ? err.reason : 'invalid body' });
      log.warn('delivery rejected', { outcome: 'invalid-body', status: 400 });
      return;
    }
    const verdict = classifyEvent(body);
    if (verdict.kind === 'ignore') {
      send(res, 200, { received: true, ignored: true });
      log.info('event ignored', { event_id: verdict.id, event_type: verdict.type, outcome: 'unhandled-type' });
      return;
    }
    if (verdict.kind === 'invalid') {
      // A cancellation whose own ids are intact is still honoured: it only ever prevents effects.
      const partial = verdict.event;
      if (partial?.type === 'refund.canceled' && partial.status === 'canceled') effects.noteCancellation(partial.objectId);
      send(res, 422, { error: 'invalid_event', reason: verdict.reason });
      log.warn('event rejected', { event_id: partial?.id, event_type: partial?.type, outcome: 'invalid-event', status: 422 });
      return;
    }
    const event = verdict.event;
    if (event.type === 'refund.canceled') {
      // Recorded synchronously, before answering, so any refund.requested that arrives
      // after this 200 sees it (out-of-order delivery, clause 6.5).
      effects.noteCancellation(event.objectId);
      send(res, 200, { received: true });
      log.info('event accepted', { event_id: event.id, event_type: event.type, outcome: 'cancellation-recorded' });
      return;
    }
    if (event.type === 'refund.requested' && effects.isCancelled(event.objectId)) {
      send(res, 200, { received: true, skipped: true });
      log.info('event accepted', { event_id: event.id, event_type: event.type, outcome: 'already-cancelled' });
      return;
    }
    const offered = queue.offer(event.id, event);
    if (offered === 'full') {
      // Honest back-pressure: not acknowledged, so the hub will redeliver.
      send(res, 503, { error: 'busy' }, { 'retry-after': '5' });
      log.warn('event refused', { event_id: event.id, event_type: event.type, outcome: 'queue-full', status: 503 });
      return;
    }
    send(res, 200, offered === 'duplicate' ? { received: true, duplicate: true } : { received: true });
    log.info('event accepted', { event_id: event.id, event_type: event.type, outcome: offered });
  }

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/health' && (req.method === 'GET' || req.method === 'HEAD')) {
      send(res, isDraining() ? 503 : 200, { status: isDraining() ? 'draining' : 'ok' });
      return;
    }
    if (path !== webhookPath) {
      send(res, 404, { error: 'not_found' });
      req.resume();
      return;
    }
    if (req.method !== 'POST') {
      send(res, 405, { error: 'method_not_allowed' }, { allow: 'POST' });
      req.resume();
      return;
    }
    if (isDraining()) {
      send(res, 503, { error: 'shutting_down' }, { connection: 'close' });
      req.resume();
      return;
    }
    handleWebhook(req, res).catch(() => {
      // Unreachable by design; still, a bug here must not take the process down.
      send(res, 400, { error: 'invalid_request' });
      log.error('delivery handler failed', { outcome: 'handler-error' });
    });
  });
  server.requestTimeout = 15_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  return server;
}

/** Stop accepting, let queued work finish within `graceMs`, then exit. */
export function installShutdown({ server, queue, abort, log, graceMs = 4000 }) {
  let stopping = false;
  const stop = async (signalName) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { outcome: signalName });
    server.close();
    server.closeIdleConnections?.();
    const drained = await queue.drain(graceMs);
    abort.abort();
    log.info('stopped', { outcome: drained ? 'drained' : 'grace-expired', queued: queue.size() });
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  return { isStopping: () => stopping };
}
