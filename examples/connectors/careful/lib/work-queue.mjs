// In-memory work queue: the webhook is acknowledged as soon as the event is queued, and
// a bounded number of workers process events afterwards (clause 6.3: fast acks).
// De-duplication is by event id, across queued, running and completed work (clause 6.4).

/** A Set that forgets its oldest entries beyond `max`, so memory stays bounded. */
export class BoundedSet {
  constructor(max) {
    this.max = max;
    this.items = new Set();
  }
  has(v) {
    return this.items.has(v);
  }
  add(v) {
    this.items.delete(v);
    this.items.add(v);
    if (this.items.size > this.max) this.items.delete(this.items.values().next().value);
  }
  delete(v) {
    this.items.delete(v);
  }
}

export class WorkQueue {
  constructor({ concurrency = 4, maxQueued = 10_000, rememberCompleted = 100_000, run, onError }) {
    Object.assign(this, { concurrency, maxQueued, run, onError });
    this.queue = [];
    this.running = 0;
    /** Queued or running: a concurrent duplicate is dropped while the first is in flight. */
    this.inFlight = new Set();
    /** Finished (success or permanent outcome): later duplicates and replays are dropped. */
    this.completed = new BoundedSet(rememberCompleted);
    this.idleWaiters = [];
  }

  /** 'queued' | 'duplicate' | 'full'. Synchronous, so two concurrent deliveries cannot both pass. */
  offer(key, item) {
    if (this.inFlight.has(key) || this.completed.has(key)) return 'duplicate';
    if (this.queue.length >= this.maxQueued) return 'full';
    this.inFlight.add(key);
    this.queue.push({ key, item });
    this.pump();
    return 'queued';
  }

  size() {
    return this.queue.length + this.running;
  }

  pump() {
    while (this.running < this.concurrency && this.queue.length > 0) {
      const { key, item } = this.queue.shift();
      this.running += 1;
      Promise.resolve()
        .then(() => this.run(item))
        .then(
          (outcome) => {
            // A transient failure leaves the id unremembered so the hub's redelivery can
            // try again (safely: the idempotency key derives from the event id).
            if (outcome !== 'retry-later') this.completed.add(key);
          },
          (err) => this.onError?.(err, item),
        )
        .finally(() => {
          this.inFlight.delete(key);
          this.running -= 1;
          this.pump();
          if (this.size() === 0) for (const w of this.idleWaiters.splice(0)) w();
        });
    }
  }

  /** Resolves when nothing is queued or running, or after `timeoutMs`. */
  drain(timeoutMs) {
    if (this.size() === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }
}
