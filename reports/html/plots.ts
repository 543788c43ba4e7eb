import type { ControlResult, RunReport } from '../../harness/model/report.js';
import { clauseTitle } from '../clauses.js';
import { escapeHtml, truncate } from '../escape.js';

/**
 * Plots for the HTML report, drawn here as inline SVG: no chart library, no script,
 * nothing fetched. Every label that came from the connector is escaped and truncated;
 * every number is checked finite, so a hostile metric cannot produce `NaN` geometry.
 */

/** Caps so a huge run still gives a small, fast page. */
const MAX_SAMPLES = 20_000;
const MAX_TIMELINE_POINTS = 1500;
const HIST_BINS = 24;

const W = 640;
const PAD = { left: 48, right: 16, top: 16, bottom: 36 };

function finite(xs: readonly unknown[], max: number): number[] {
  const out: number[] = [];
  for (const x of xs) {
    if (out.length >= max) break;
    if (typeof x === 'number' && Number.isFinite(x) && x >= 0) out.push(x);
  }
  return out;
}

function fmt(n: number): string {
  if (n >= 10_000) return `${Math.round(n / 1000)} s`;
  if (n >= 1000) return `${(n / 1000).toFixed(1)} s`;
  return `${Math.round(n)} ms`;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? 0;
}

function empty(message: string, height = 80): string {
  return `<svg class="plot" viewBox="0 0 ${W} ${height}" role="img" aria-label="${escapeHtml(message)}"><text x="${W / 2}" y="${height / 2}" text-anchor="middle" class="muted">${escapeHtml(message)}</text></svg>`;
}

/**
 * Histogram of acknowledgement latencies with p50/p95/p99 markers. Bins span 0 to the
 * p99 (samples above it fall in the last bin, labelled `≥`), so one outlier does not
 * squash every other bar into the first bin.
 */
export function latencyHistogram(samplesIn: readonly unknown[], slaMs?: number): string {
  const samples = finite(samplesIn, MAX_SAMPLES);
  if (samples.length === 0) return empty('no acknowledgement latencies were recorded');
  const sorted = [...samples].sort((a, b) => a - b);
  const p50 = percentile(sorted, 50);
  const p95 = percentile(sorted, 95);
  const p99 = percentile(sorted, 99);
  const max = sorted[sorted.length - 1] ?? 0;
  const top = Math.max(1, p99 < max ? p99 : max);
  const binW = top / HIST_BINS;
  const bins = new Array<number>(HIST_BINS).fill(0);
  for (const s of sorted) bins[Math.min(HIST_BINS - 1, Math.floor(s / binW))]!++;
  const peak = Math.max(...bins);
  const H = 220;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (v: number) => PAD.left + (Math.min(v, top) / top) * plotW;
  const y = (c: number) => PAD.top + plotH - (c / peak) * plotH;
  const parts: string[] = [];
  parts.push(`<line x1="${PAD.left}" y1="${PAD.top + plotH}" x2="${W - PAD.right}" y2="${PAD.top + plotH}" class="axis"/>`);
  bins.forEach((c, i) => {
    if (c === 0) return;
    const x0 = PAD.left + (i / HIST_BINS) * plotW;
    const lo = i * binW;
    const hi = i === HIST_BINS - 1 && max > top ? Infinity : (i + 1) * binW;
    const label = hi === Infinity ? `≥ ${fmt(lo)}: ${c}` : `${fmt(lo)}–${fmt(hi)}: ${c}`;
    parts.push(`<rect x="${x0.toFixed(1)}" y="${y(c).toFixed(1)}" width="${Math.max(1, plotW / HIST_BINS - 2).toFixed(1)}" height="${(PAD.top + plotH - y(c)).toFixed(1)}" class="bar"><title>${escapeHtml(label)}</title></rect>`);
  });
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    const v = t * top;
    const anchor = t === 0 ? 'start' : t === 1 ? 'end' : 'middle';
    parts.push(`<text x="${x(v).toFixed(1)}" y="${H - 18}" text-anchor="${anchor}" class="tick">${escapeHtml(t === 1 && max > top ? `≥${fmt(v)}` : fmt(v))}</text>`);
  }
  parts.push(`<text x="${PAD.left - 6}" y="${PAD.top + 8}" text-anchor="end" class="tick">${peak}</text>`);
  parts.push(`<text x="${PAD.left - 6}" y="${PAD.top + plotH}" text-anchor="end" class="tick">0</text>`);
  const markers: Array<[string, number, string]> = [['p50', p50, 'm50'], ['p95', p95, 'm95'], ['p99', p99, 'm99']];
  if (typeof slaMs === 'number' && Number.isFinite(slaMs) && slaMs > 0 && slaMs <= top) markers.push(['SLA', slaMs, 'sla']);
  markers.forEach(([name, v, cls], i) => {
    parts.push(`<line x1="${x(v).toFixed(1)}" y1="${PAD.top}" x2="${x(v).toFixed(1)}" y2="${PAD.top + plotH}" class="marker ${cls}"/>`);
    const nearRight = x(v) > W - PAD.right - 90;
    parts.push(`<text x="${(nearRight ? x(v) - 3 : x(v) + 3).toFixed(1)}" y="${PAD.top + 10 + i * 12}" text-anchor="${nearRight ? 'end' : 'start'}" class="tick ${cls}">${name} ${escapeHtml(fmt(v))}</text>`);
  });
  parts.push(`<text x="${W / 2}" y="${H - 2}" text-anchor="middle" class="muted">acknowledgement latency (${sorted.length} samples, max ${escapeHtml(fmt(max))})</text>`);
  return `<svg class="plot" id="plot-latency" viewBox="0 0 ${W} ${H}" role="img" aria-label="acknowledgement latency histogram">${parts.join('')}</svg>`;
}

type TimelinePoint = RunReport['metrics']['timeline'][number];

function statusClass(status: number | null | undefined): string {
  if (status === undefined) return 'st-none';
  if (status === null) return 'st-err';
  if (status >= 200 && status < 300) return 'st-2xx';
  if (status >= 400 && status < 500) return 'st-4xx';
  return 'st-err';
}

/**
 * Deliveries (upper lane) and effects (lower lane) over run time; colour by HTTP
 * status. Points beyond the cap are sampled evenly, and the caption says so.
 */
export function timelinePlot(pointsIn: readonly TimelinePoint[]): string {
  const valid = pointsIn.filter((p) => p && typeof p.at === 'number' && Number.isFinite(p.at) && p.at >= 0 && (p.kind === 'delivery' || p.kind === 'effect'));
  if (valid.length === 0) return empty('no deliveries or effects were recorded');
  const step = Math.max(1, Math.ceil(valid.length / MAX_TIMELINE_POINTS));
  const points = [...valid].sort((a, b) => a.at - b.at).filter((_, i) => i % step === 0);
  const end = Math.max(1, ...points.map((p) => p.at));
  // Full-width card: a wider canvas keeps text at the same size as in the half-width plots.
  const TW = 1100;
  const H = 130;
  const left = 84;
  const plotW = TW - left - PAD.right;
  const lanes = { delivery: 30, effect: 76 } as const;
  const parts: string[] = [];
  for (const [kind, ly] of Object.entries(lanes)) {
    parts.push(`<line x1="${left}" y1="${ly}" x2="${TW - PAD.right}" y2="${ly}" class="lane"/>`);
    parts.push(`<text x="${left - 8}" y="${ly + 4}" text-anchor="end" class="tick">${kind === 'delivery' ? 'deliveries' : 'effects'}</text>`);
  }
  points.forEach((p, i) => {
    const cx = left + (p.at / end) * plotW;
    // Three rows per lane, by index, so bursts of simultaneous events stay distinguishable.
    const cy = lanes[p.kind] + ((i % 3) - 1) * 7;
    const label = `${fmt(p.at)} · ${p.kind} · ${truncate(String(p.label ?? ''), 160)}${p.status !== undefined ? ` → ${p.status === null ? 'no response' : p.status}` : ''}`;
    parts.push(`<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="3.2" class="dot ${p.kind} ${statusClass(p.status)}"><title>${escapeHtml(label)}</title></circle>`);
  });
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(`<text x="${(left + t * plotW).toFixed(1)}" y="${H - 18}" text-anchor="${t === 0 ? 'start' : t === 1 ? 'end' : 'middle'}" class="tick">${escapeHtml(fmt(t * end))}</text>`);
  }
  const sampled = step > 1 ? `, every ${step}th of ${valid.length} shown` : '';
  parts.push(`<text x="${TW / 2}" y="${H - 2}" text-anchor="middle" class="muted">time since run start (${points.length} events${sampled})</text>`);
  return `<svg class="plot" id="plot-timeline" viewBox="0 0 ${TW} ${H}" role="img" aria-label="timeline of deliveries and effects">${parts.join('')}</svg>`;
}

export interface ClauseScore {
  clause: number;
  score: number | null;
  pass: number;
  fail: number;
  skip: number;
}

/** Per clause, the same formula as the run score: passed weight over scored weight; null when nothing was scored. */
export function clauseScores(controls: readonly ControlResult[]): ClauseScore[] {
  const by = new Map<number, ClauseScore & { passW: number; totalW: number }>();
  for (const c of controls) {
    const s = by.get(c.clause) ?? { clause: c.clause, score: null, pass: 0, fail: 0, skip: 0, passW: 0, totalW: 0 };
    const w = Number.isFinite(c.weight) && c.weight > 0 ? c.weight : 0;
    if (c.status === 'pass') {
      s.pass++;
      s.passW += w;
      s.totalW += w;
    } else if (c.status === 'fail') {
      s.fail++;
      s.totalW += w;
    } else s.skip++;
    by.set(c.clause, s);
  }
  return [...by.values()]
    .sort((a, b) => a.clause - b.clause)
    .map(({ passW, totalW, ...s }) => ({ ...s, score: totalW > 0 ? Math.round((1000 * passW) / totalW) / 10 : null }));
}

/** Horizontal bars, one per clause, 0–100. */
export function clauseBars(scores: readonly ClauseScore[]): string {
  if (scores.length === 0) return empty('no controls');
  const rowH = 22;
  const left = 290;
  const right = 64;
  const H = PAD.top + scores.length * rowH + 8;
  const plotW = W - left - right;
  const parts: string[] = [];
  scores.forEach((s, i) => {
    const y = PAD.top + i * rowH;
    const name = `${s.clause}. ${clauseTitle(s.clause)}`;
    parts.push(`<text x="${left - 8}" y="${y + 14}" text-anchor="end" class="tick">${escapeHtml(truncate(name, 44))}</text>`);
    parts.push(`<rect x="${left}" y="${y + 3}" width="${plotW}" height="${rowH - 8}" class="track"/>`);
    if (s.score === null) {
      parts.push(`<text x="${left + 6}" y="${y + 14}" class="tick muted">not scored (${s.skip} skipped)</text>`);
    } else {
      const cls = s.score >= 100 ? 'good' : s.score >= 60 ? 'mid' : 'bad';
      parts.push(
        `<rect x="${left}" y="${y + 3}" width="${((s.score / 100) * plotW).toFixed(1)}" height="${rowH - 8}" class="fill ${cls}"><title>${escapeHtml(`${name}: ${s.score.toFixed(1)} (${s.pass} pass, ${s.fail} fail, ${s.skip} skip)`)}</title></rect>`,
      );
      parts.push(`<text x="${W - right + 6}" y="${y + 14}" class="tick">${s.score.toFixed(s.score === 100 ? 0 : 1)}</text>`);
    }
  });
  return `<svg class="plot" id="plot-clauses" viewBox="0 0 ${W} ${H}" role="img" aria-label="score by clause">${parts.join('')}</svg>`;
}
