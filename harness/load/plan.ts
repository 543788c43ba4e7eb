import { GauntletError } from '../errors.js';
import type { LoadPhase, LoadProfile, PlannedSend } from './types.js';

/** Bounds a profile must respect: a load run is a CI step, not a soak test. */
export const LOAD_LIMITS = {
  maxRate: 20_000,
  maxDurationMs: 10 * 60_000,
  maxConnections: 512,
  maxRequests: 200_000,
  maxRampSteps: 20,
  maxDuplicateShare: 0.9,
  minTimeoutMs: 1_000,
  maxTimeoutMs: 60_000,
} as const;

/** Checks a profile; every problem is named by field, all at once. */
export function validateProfile(p: LoadProfile): LoadProfile {
  const problems: Array<{ path: string; reason: string }> = [];
  const int = (path: string, v: number | undefined, min: number, max: number) => {
    if (v === undefined) return;
    if (!Number.isInteger(v) || v < min || v > max) problems.push({ path, reason: `must be a whole number from ${min} to ${max} (got ${String(v)})` });
  };
  int('rate', p.rate, 1, LOAD_LIMITS.maxRate);
  int('durationMs', p.durationMs, 1, LOAD_LIMITS.maxDurationMs);
  int('connections', p.connections, 1, LOAD_LIMITS.maxConnections);
  int('maxRequests', p.maxRequests, 1, LOAD_LIMITS.maxRequests);
  int('rampSteps', p.rampSteps, 1, LOAD_LIMITS.maxRampSteps);
  int('timeoutMs', p.timeoutMs, LOAD_LIMITS.minTimeoutMs, LOAD_LIMITS.maxTimeoutMs);
  if (!(typeof p.duplicateShare === 'number' && p.duplicateShare >= 0 && p.duplicateShare <= LOAD_LIMITS.maxDuplicateShare)) {
    problems.push({ path: 'duplicateShare', reason: `must be a number from 0 to ${LOAD_LIMITS.maxDuplicateShare} (got ${String(p.duplicateShare)})` });
  }
  if (p.rampSteps !== undefined && p.rampSteps > 1 && p.rate === undefined) problems.push({ path: 'rampSteps', reason: 'a ramp needs a target rate' });
  if (problems.length) throw new GauntletError('GAUNTLET_ERR_FLAG_INVALID', `load profile has ${problems.length} problem(s): ${problems.map((x) => `${x.path} ${x.reason}`).join('; ')}`, { problems });
  return p;
}

/**
 * Splits a profile into autocannon phases. A fixed rate is one phase; a ramp is `steps`
 * back-to-back phases climbing to the rate. Request counts are capped by `maxRequests`
 * (later phases lose requests first), so the sum never exceeds it.
 */
export function phasesOf(profile: LoadProfile): LoadPhase[] {
  validateProfile(profile);
  // No more steps than milliseconds: every step keeps a window of its own.
  const steps = profile.rate !== undefined ? Math.max(1, Math.min(profile.rampSteps ?? 1, profile.durationMs)) : 1;
  const stepMs = Math.max(1, Math.floor(profile.durationMs / steps));
  let left = profile.maxRequests;
  const phases: LoadPhase[] = [];
  for (let k = 1; k <= steps && left > 0; k++) {
    const durationMs = k === steps ? profile.durationMs - stepMs * (steps - 1) : stepMs;
    if (profile.rate === undefined) {
      phases.push({ label: 'closed loop', startMs: 0, durationMs, requests: left });
      break;
    }
    const rate = Math.max(1, Math.ceil((profile.rate * k) / steps));
    const requests = Math.min(left, Math.max(1, Math.round((rate * durationMs) / 1000)));
    left -= requests;
    phases.push({ label: steps > 1 ? `ramp ${k}/${steps} @ ${rate}/s` : `fixed @ ${rate}/s`, startMs: stepMs * (k - 1), durationMs, rate, requests });
  }
  return phases;
}

/** Small seeded PRNG (mulberry32): plans are reproducible from the run seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Orders `total` sends: mostly fresh events, with about `duplicateShare` of them repeating
 * an event among the last `window` fresh ones, so repeats arrive both concurrently with
 * the first delivery (still in flight on another connection) and after it.
 * The first send is always fresh; a plan has at least one event.
 */
export function planSends(total: number, duplicateShare: number, window: number, random: () => number): { sends: PlannedSend[]; events: number } {
  const sends: PlannedSend[] = [];
  let events = 0;
  const w = Math.max(1, Math.floor(window));
  for (let i = 0; i < total; i++) {
    if (events > 0 && duplicateShare > 0 && random() < duplicateShare) {
      const span = Math.min(events, w);
      const back = Math.floor(random() * span);
      sends.push({ event: events - 1 - back, duplicate: true });
    } else {
      sends.push({ event: events++, duplicate: false });
    }
  }
  return { sends, events };
}
