import { describe, expect, it } from 'vitest';
import { loadManifest } from '../../harness/manifest/load.js';
import type { LoadReport } from '../../harness/load/types.js';
import { runCertification } from '../../harness/runner/run.js';
import { loadBurst, loadScenario } from '../../scenarios/load.js';
import { SCENARIOS } from '../../scenarios/index.js';

/**
 * The load pack against real connectors (processes on loopback, the embedded sandbox):
 * the careful example passes; one flaw each is caught by name.
 */
async function runLoad(manifestPath: string): Promise<{ outcomes: Map<string, { status: string; summary: string }>; load: LoadReport; verdict: string }> {
  const manifest = await loadManifest(manifestPath);
  let load: LoadReport | undefined;
  const scenario = loadScenario({ onReport: (r) => (load = r) });
  const { report } = await runCertification({ manifest, manifestArg: manifestPath, scenarios: [scenario], seed: 11 });
  const s = report.scenarios.find((x) => x.id === 'load-burst')!;
  expect(s.status === 'passed' || s.status === 'failed').toBe(true);
  return { outcomes: new Map(s.outcomes.map((o) => [o.control, o])), load: load!, verdict: report.verdict };
}

describe('load pack', () => {
  it('is part of the standard run, last', () => {
    expect(SCENARIOS.at(-1)).toBe(loadBurst);
    expect(loadBurst.pack).toBe('load');
  });

  it('passes the careful example: every send acknowledged in time, nothing dropped or doubled, healthy after', async () => {
    const { outcomes, load, verdict } = await runLoad('examples/connectors/careful/connector.yaml');
    for (const c of ['valid-event-acknowledged', 'load-ack-within-sla', 'load-no-dropped-events', 'effects-max-respected', 'load-stays-healthy']) {
      expect(outcomes.get(c)?.status, `${c}: ${outcomes.get(c)?.summary}`).toBe('pass');
    }
    expect(verdict).toBe('certified');
    expect(load.requests.sent).toBe(load.requests.planned);
    expect(load.requests.duplicates).toBeGreaterThan(0);
    expect(load.reconciliation.droppedEvents).toBe(0);
    expect(load.reconciliation.acceptedEvents).toBe(load.requests.uniqueEvents);
    expect(load.latencyMs.samples).toBe(load.requests.sent);
  });

  it('rejects a connector that acknowledges and then drops events beyond a small queue, naming the dropped count', async () => {
    const { outcomes, load, verdict } = await runLoad('test/fixtures/connectors/flawed/drops-under-load.yaml');
    expect(outcomes.get('valid-event-acknowledged')?.status).toBe('pass'); // it answers 200 to everything
    const min = outcomes.get('load-no-dropped-events')!;
    expect(min.status).toBe('fail');
    expect(load.reconciliation.droppedEvents).toBeGreaterThan(0);
    expect(min.summary).toContain(`dropped ${load.reconciliation.droppedEvents} of ${load.reconciliation.eventsWithRules} acknowledged events`);
    expect(verdict).toBe('rejected');
  });

  it('rejects a connector that takes 3 s per event on latency', async () => {
    const { outcomes, load, verdict } = await runLoad('test/fixtures/connectors/flawed/slow-ack.yaml');
    const sla = outcomes.get('load-ack-within-sla')!;
    expect(sla.status).toBe('fail');
    expect(sla.summary).toMatch(/slower than sla\.ackMs 2000 ms/);
    expect(load.latencyMs.p50).toBeGreaterThan(2_000);
    expect(verdict).toBe('rejected');
  });
});
