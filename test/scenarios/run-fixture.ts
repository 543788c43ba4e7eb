/** Runs a few scenarios against a connector manifest through the real runner (shared by the fault-injection tests). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadManifest } from '../../harness/manifest/load.js';
import type { ControlResult, RunReport } from '../../harness/model/report.js';
import { runCertification } from '../../harness/runner/run.js';
import type { ScenarioDefinition } from '../../harness/runner/scenario.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const FLAWED = (flaw: string) => path.join(ROOT, 'test/fixtures/connectors/flawed', `${flaw}.yaml`);
export const CAREFUL = path.join(ROOT, 'examples/connectors/careful/connector.yaml');

export async function runScenarios(manifestPath: string, scenarios: ScenarioDefinition[], seed = 7): Promise<RunReport> {
  const manifest = await loadManifest(manifestPath);
  const { report } = await runCertification({ manifest, manifestArg: path.relative(ROOT, manifestPath), scenarios, seed });
  return report;
}

export function control(report: RunReport, id: string): ControlResult {
  const c = report.controls.find((x) => x.id === id);
  if (!c) throw new Error(`no control ${id} in the report`);
  return c;
}

/** Every evidence summary of a control, joined (for messages and `toContain`). */
export function evidenceOf(report: RunReport, id: string): string {
  return control(report, id).evidence.map((e) => `[${e.scenario}] ${e.summary}`).join('\n');
}
