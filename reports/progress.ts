import type { ScenarioResult } from '../harness/model/report.js';
import { sanitizeForTerminal } from './escape.js';
import type { Reporter } from './reporter.js';

const MARK: Record<ScenarioResult['status'], string> = { passed: 'ok  ', failed: 'FAIL', skipped: 'skip', errored: 'ERR ', 'timed-out': 'TIME' };

/**
 * Progress on stderr. On a terminal (and not CI) it keeps one live status line per
 * pack; otherwise it prints one plain line per scenario, which CI logs keep readable.
 */
export class ProgressReporter implements Reporter {
  private total = 0;
  private done = 0;
  private readonly live: boolean;
  private readonly perPack = new Map<string, { total: number; done: number; failed: number }>();
  private started = Date.now();

  constructor(private readonly out: NodeJS.WritableStream & { isTTY?: boolean }, opts: { live?: boolean } = {}) {
    this.live = opts.live ?? (Boolean(out.isTTY) && !process.env.CI && process.env.TERM !== 'dumb');
  }

  onBegin(info: { runId: string; connector: { name: string; version: string }; tier: string; seed: number; scenarios: Array<{ id: string; pack: string }> }): void {
    this.total = info.scenarios.length;
    this.started = Date.now();
    for (const s of info.scenarios) {
      const p = this.perPack.get(s.pack) ?? { total: 0, done: 0, failed: 0 };
      p.total++;
      this.perPack.set(s.pack, p);
    }
    this.out.write(`[gauntlet] ${sanitizeForTerminal(info.connector.name)}@${sanitizeForTerminal(info.connector.version)} tier ${info.tier}, seed ${info.seed}, ${this.total} scenario(s) in ${this.perPack.size} pack(s)\n`);
  }

  onScenarioEnd(r: ScenarioResult): void {
    this.done++;
    const p = this.perPack.get(r.pack);
    if (p) {
      p.done++;
      if (r.status === 'failed' || r.status === 'errored' || r.status === 'timed-out') p.failed++;
    }
    const line = `[${String(this.done).padStart(String(this.total).length)}/${this.total}] ${MARK[r.status]} ${r.id} (${r.pack}) ${Math.round(r.durationMs)} ms, ${r.deliveries} deliver${r.deliveries === 1 ? 'y' : 'ies'}${r.reason ? ` — ${sanitizeForTerminal(r.reason).slice(0, 200)}` : ''}`;
    if (this.live) {
      const packs = [...this.perPack.entries()].map(([name, v]) => `${name} ${v.done}/${v.total}${v.failed ? ` (${v.failed} failed)` : ''}`).join(' · ');
      this.out.write(`\r\x1b[2K${line}\n\x1b[2K${packs}  ${((Date.now() - this.started) / 1000).toFixed(1)}s\r`);
      if (this.done === this.total) this.out.write('\x1b[2K');
    } else this.out.write(`${line}\n`);
  }

  onError(err: unknown): void {
    this.out.write(`[gauntlet] harness error: ${sanitizeForTerminal(err instanceof Error ? err.message : String(err))}\n`);
  }
}
