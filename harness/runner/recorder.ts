import type { Delivery, DeliveryOutcome } from '../model/delivery.js';
import type { LedgerEntry } from '../model/ledger.js';
import type { RunReport } from '../model/report.js';

const MAX_TIMELINE = 2_000;
const MAX_SAMPLES = 10_000;

/** Collects run metrics for plots and the report, with caps so a long run stays bounded. */
export class RunRecorder {
  readonly ackLatencyMs: number[] = [];
  readonly timeline: RunReport['metrics']['timeline'] = [];
  lastDeliveryAt = 0;
  totalDeliveries = 0;
  private readonly perScenario = new Map<string, number>();

  constructor(private readonly startedAt: number) {}

  delivery(scenarioId: string, d: Delivery, o: DeliveryOutcome, startedAt: number, valid: boolean): void {
    this.totalDeliveries++;
    this.lastDeliveryAt = startedAt + o.durationMs;
    this.perScenario.set(scenarioId, (this.perScenario.get(scenarioId) ?? 0) + 1);
    if (valid && o.status !== null && this.ackLatencyMs.length < MAX_SAMPLES) this.ackLatencyMs.push(Math.round(o.durationMs * 100) / 100);
    if (this.timeline.length < MAX_TIMELINE) {
      this.timeline.push({ at: startedAt - this.startedAt, kind: 'delivery', label: `${scenarioId}: ${d.label}`, status: o.status });
    }
  }

  effect(e: LedgerEntry): void {
    if (e.committed && this.timeline.length < MAX_TIMELINE) {
      this.timeline.push({ at: e.at - this.startedAt, kind: 'effect', label: `${e.target} ${e.method} ${e.path}`, status: e.status });
    }
  }

  deliveriesOf(scenarioId: string): number {
    return this.perScenario.get(scenarioId) ?? 0;
  }
}
