/** Leak detection (contract clause 10): what a detector sees and returns. */
import type { NeedleSearch } from './needle-search.js';

export type LeakControl = 'no-sensitive-data-leak' | 'no-secret-leak';

/** What the harness knows about the run: the values that must never come back out. */
export interface LeakContext {
  /** Run secrets by name: webhook secret, client secret, issued bearer tokens. */
  secrets: Array<{ name: string; value: string }>;
  /** Canary values planted in events (`SyntheticData.plantedValues()`). */
  plantedValues: string[];
  /** Full names of synthetic customers (`SyntheticData.knownNames()`). */
  knownNames?: string[];
  /**
   * `@example.test` addresses that are not customer data (e.g. the manifest's `owner`).
   * Every other `@example.test` address is synthetic customer data.
   */
  allowedEmails?: string[];
}

/** One secret rendering the detectors look for. */
export interface SecretNeedle {
  name: string;
  /** `raw`, `base64`, `base64url`, `hex`, `url`, `json`, `whsec-key-base64`, … */
  encoding: string;
}

/** A LeakContext compiled once per scan: needle automata and lookup sets. */
export interface PreparedLeakContext {
  readonly secrets: NeedleSearch<SecretNeedle>;
  readonly names: NeedleSearch<string>;
  /** Planted values no other detector recognises by shape (not PANs, not example.test emails, not names). */
  readonly planted: NeedleSearch<string>;
  /** Digits of planted PAN-like values: the card detector reports them even outside known IIN ranges. */
  readonly plantedDigits: ReadonlySet<string>;
  /** Lower-cased. */
  readonly allowedEmails: ReadonlySet<string>;
  /** Upper bound on hits one detector returns for one text. */
  readonly maxHits: number;
}

/** A span of `text` that holds a sensitive value, and what to show instead. */
export interface LeakHit {
  start: number;
  end: number;
  /** Safe replacement shown in excerpts: `4242 **** **** 4242`, `[secret:webhook-secret:base64]`. */
  mask: string;
}

export interface LeakDetector {
  /** Stable kebab-case id; also the finding's `kind`. */
  id: string;
  control: LeakControl;
  /** One line for docs and reports: what it looks for and how it avoids false positives. */
  description: string;
  /** Pure: no I/O, bounded by `ctx.maxHits`; may assume `text` is already capped. */
  scan(text: string, ctx: PreparedLeakContext): LeakHit[];
}
