// Reads a request body with a hard cap, streaming: an oversized body is refused as soon
// as the cap is crossed (or up front from Content-Length), never buffered whole.

export class BodyTooLarge extends Error {
  constructor() {
    super('body exceeds cap');
    this.name = 'BodyTooLarge';
  }
}

export function readCappedBody(req, capBytes, { idleTimeoutMs = 10_000 } = {}) {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > capBytes) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks = [];
    let total = 0;
    let settled = false;
    const finish = (fn, value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      fn(value);
    };
    const timer = setTimeout(() => finish(reject, new Error('body read timed out')), idleTimeoutMs);
    const onData = (chunk) => {
      total += chunk.length;
      if (total > capBytes) {
        chunks.length = 0;
        finish(reject, new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish(resolve, Buffer.concat(chunks, total));
    const onError = (err) => finish(reject, err);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/**
 * After an early answer (413), throw the rest of the body away without keeping it, so the
 * client can finish sending and read the answer instead of hitting a reset. Bounded: past
 * `maxBytes` or `graceMs` the socket is destroyed.
 */
export function discardRest(req, { graceMs = 3000, maxBytes = 64 * 1024 * 1024 } = {}) {
  let discarded = 0;
  const timer = setTimeout(() => req.socket?.destroy(), graceMs);
  timer.unref();
  req.on('data', (chunk) => {
    discarded += chunk.length;
    if (discarded > maxBytes) req.socket?.destroy();
  });
  req.on('end', () => clearTimeout(timer));
  req.on('close', () => clearTimeout(timer));
  req.resume();
}
