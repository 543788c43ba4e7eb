import { describe, expect, it } from 'vitest';
import { loadManifest } from '../../../harness/manifest/load.js';
import { runCertification } from '../../../harness/runner/run.js';
import { SCENARIOS } from '../../../scenarios/index.js';

describe('deferred re-checks after the run settles', () => {
  it('catch a connector that answers 401 and acts on the forged delivery later', async () => {
    const manifestArg = 'test/fixtures/connectors/late-effect/connector.yaml';
    const manifest = await loadManifest(manifestArg);
    const scenario = SCENARIOS.find((s) => s.id === 'webhook-signature-authenticity')!;
    const { report } = await runCertification({ manifest, manifestArg, scenarios: [scenario], seed: 5 });
    const forged = report.controls.find((c) => c.id === 'signature-forged-rejected')!;
    expect(forged.status).toBe('fail');
    expect(forged.evidence.some((e) => e.summary.startsWith('found after the run settled'))).toBe(true);
    expect(forged.counterexample?.caseId).toMatch(/^webhook-signature-authenticity#\d+$/);
    // The same connector answers every valid form correctly: only the late effect is wrong.
    expect(report.controls.find((c) => c.id === 'valid-event-acknowledged')!.status).toBe('pass');
  });
});
