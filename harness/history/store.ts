import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { GauntletError } from '../errors.js';
import type { RunReport } from '../model/report.js';

export const DEFAULT_HISTORY_PATH = '.gauntlet/history.sqlite';

export interface HistoryRow {
  runId: string;
  connector: string;
  version: string;
  tier: string;
  verdict: string;
  score: number;
  seed: number;
  startedAt: string;
  durationMs: number;
  failed: string[];
  partial: boolean;
  sandbox: string;
}

/** The run history: one SQLite file, one row per run (nightly trends per connector and version). */
export class HistoryStore {
  private readonly db: Database.Database;

  constructor(file: string) {
    try {
      mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
      this.db = new Database(file);
      this.db.pragma('journal_mode = WAL');
      this.db.exec(`CREATE TABLE IF NOT EXISTS runs (
        run_id TEXT PRIMARY KEY, connector TEXT NOT NULL, version TEXT NOT NULL, tier TEXT NOT NULL,
        verdict TEXT NOT NULL, score REAL NOT NULL, seed INTEGER NOT NULL, started_at TEXT NOT NULL,
        duration_ms INTEGER NOT NULL, failed TEXT NOT NULL, partial INTEGER NOT NULL, sandbox TEXT NOT NULL)`);
      this.db.exec('CREATE INDEX IF NOT EXISTS runs_by_connector ON runs (connector, started_at)');
    } catch (err) {
      throw new GauntletError('GAUNTLET_ERR_FLAG_INVALID', `cannot open the history store ${file}: ${err instanceof Error ? err.message : String(err)}`, { problems: [{ path: '--history', reason: 'must be a writable SQLite file path' }] });
    }
  }

  record(report: RunReport): void {
    this.db
      .prepare(`INSERT OR REPLACE INTO runs VALUES (@run_id, @connector, @version, @tier, @verdict, @score, @seed, @started_at, @duration_ms, @failed, @partial, @sandbox)`)
      .run({
        run_id: report.runId,
        connector: report.connector.name,
        version: report.connector.version,
        tier: report.tier,
        verdict: report.verdict,
        score: report.score,
        seed: report.seed,
        started_at: report.startedAt,
        duration_ms: report.durationMs,
        failed: JSON.stringify(report.controls.filter((c) => c.status === 'fail').map((c) => c.id)),
        partial: report.partial ? 1 : 0,
        sandbox: report.sandbox,
      });
  }

  list(opts: { connector?: string; limit?: number } = {}): HistoryRow[] {
    const limit = Math.max(1, Math.min(opts.limit ?? 50, 10_000));
    const rows = (opts.connector
      ? this.db.prepare('SELECT * FROM runs WHERE connector = ? ORDER BY started_at DESC LIMIT ?').all(opts.connector, limit)
      : this.db.prepare('SELECT * FROM runs ORDER BY started_at DESC LIMIT ?').all(limit)) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      runId: String(r.run_id),
      connector: String(r.connector),
      version: String(r.version),
      tier: String(r.tier),
      verdict: String(r.verdict),
      score: Number(r.score),
      seed: Number(r.seed),
      startedAt: String(r.started_at),
      durationMs: Number(r.duration_ms),
      failed: JSON.parse(String(r.failed)) as string[],
      partial: Number(r.partial) === 1,
      sandbox: String(r.sandbox),
    }));
  }

  close(): void {
    this.db.close();
  }
}

/** Trend lines per connector and version, newest first, with the score change against the previous run. */
export function renderHistory(rows: HistoryRow[]): string[] {
  const byKey = new Map<string, HistoryRow[]>();
  for (const r of rows) {
    const k = `${r.connector}@${r.version}`;
    byKey.set(k, [...(byKey.get(k) ?? []), r]);
  }
  const lines: string[] = [];
  for (const [key, list] of byKey) {
    lines.push(`${key}  (${list.length} run${list.length === 1 ? '' : 's'})`);
    list.forEach((r, i) => {
      const prev = list[i + 1];
      const delta = prev ? r.score - prev.score : 0;
      const trend = !prev ? '' : delta > 0 ? `  ▲ +${delta.toFixed(1)}` : delta < 0 ? `  ▼ ${delta.toFixed(1)}` : '  =';
      const newly = prev ? r.failed.filter((f) => !prev.failed.includes(f)) : [];
      lines.push(`  ${r.startedAt}  ${r.verdict.padEnd(11)} ${r.score.toFixed(1).padStart(5)}${trend}  seed ${r.seed}${r.partial ? '  (partial)' : ''}${newly.length ? `  new failures: ${newly.join(', ')}` : ''}`);
    });
  }
  return lines;
}
