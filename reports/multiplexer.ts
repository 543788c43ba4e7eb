import type { Redactor } from '../harness/redact.js';
import type { RunReport, ScenarioResult } from '../harness/model/report.js';
import { sanitizeForTerminal, truncate } from './escape.js';
import type { Reporter, ReporterHook, RunBeginInfo, ScenarioInfo } from './reporter.js';

export interface MultiplexerOptions {
  /** Where a failing reporter is reported once (default process.stderr). */
  log?: { write(text: string): unknown };
  /** Applied to every payload before any reporter sees it. */
  redactor?: Redactor;
}

/**
 * Fans run events out to several reporters. A reporter that throws (or whose hook
 * rejects) is named once on the log and disabled; the run and the other reporters
 * carry on. Each reporter receives events in order even when its hooks are async.
 *
 * Hooks can be called without awaiting (the runner may be synchronous about it);
 * `onEnd` resolves once every reporter has finished all its pending events.
 *
 * @example
 * const reporter = new Multiplexer([new ProgressReporter(process.stderr), junitFile], { redactor });
 */
export class Multiplexer implements Reporter {
  readonly name = 'multiplexer';
  private readonly entries: Array<{ reporter: Reporter; label: string; disabled: boolean; queue: Promise<void> }>;
  private readonly log: { write(text: string): unknown };
  private readonly redactor: Redactor | undefined;

  constructor(reporters: readonly Reporter[], opts: MultiplexerOptions = {}) {
    this.entries = reporters.map((reporter, i) => ({ reporter, label: labelOf(reporter, i), disabled: false, queue: Promise.resolve() }));
    this.log = opts.log ?? process.stderr;
    this.redactor = opts.redactor;
  }

  onBegin(info: RunBeginInfo): Promise<void> {
    return this.dispatch('onBegin', info);
  }

  onScenarioBegin(scenario: ScenarioInfo): Promise<void> {
    return this.dispatch('onScenarioBegin', scenario);
  }

  onScenarioEnd(result: ScenarioResult): Promise<void> {
    return this.dispatch('onScenarioEnd', result);
  }

  onEnd(report: RunReport): Promise<void> {
    return this.dispatch('onEnd', report);
  }

  onError(error: unknown): Promise<void> {
    // Errors are not plain data: redact their text, keep them Error-shaped.
    const r = this.redactor;
    const payload = r === undefined ? error : error instanceof Error ? redactError(error, r) : r.redactDeep(error);
    return this.dispatch('onError', payload, false);
  }

  /** Reporters still enabled (for tests and diagnostics). */
  get active(): string[] {
    return this.entries.filter((e) => !e.disabled).map((e) => e.label);
  }

  private dispatch(hook: ReporterHook, payload: unknown, redact = true): Promise<void> {
    const data = redact && this.redactor ? this.redactor.redactDeep(payload) : payload;
    const all = this.entries.map((entry) => {
      entry.queue = entry.queue.then(() => this.invoke(entry, hook, data));
      return entry.queue;
    });
    return Promise.all(all).then(() => undefined);
  }

  private async invoke(entry: (typeof this.entries)[number], hook: ReporterHook, data: unknown): Promise<void> {
    if (entry.disabled) return;
    const fn = entry.reporter[hook] as ((arg: unknown) => void | Promise<void>) | undefined;
    if (typeof fn !== 'function') return;
    try {
      await fn.call(entry.reporter, data);
    } catch (err) {
      entry.disabled = true;
      const why = err instanceof Error ? err.message : String(err);
      try {
        this.log.write(`[gauntlet] reporter ${entry.label} failed in ${hook}: ${truncate(sanitizeForTerminal(why), 500)}; it is disabled for the rest of the run (the run goes on)\n`);
      } catch {
        // A broken log stream must not break the run either.
      }
    }
  }
}

function labelOf(r: Reporter, i: number): string {
  const name = r.name ?? (r.constructor && r.constructor !== Object ? r.constructor.name : undefined);
  return name ? `"${name}"` : `#${i + 1}`;
}

function redactError(error: Error, redactor: Redactor): Error {
  const copy = new Error(redactor.redact(error.message));
  copy.name = error.name;
  if (error.stack) copy.stack = redactor.redact(error.stack);
  const code = (error as { code?: unknown }).code;
  if (code !== undefined) Object.assign(copy, { code });
  return copy;
}
