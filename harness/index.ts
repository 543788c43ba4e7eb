/**
 * Gauntlet's public API: the one entry other packages (and our own folders outside
 * harness/) import from. Everything else is internal and may change without notice.
 *
 * @example
 * import { loadManifest, runCertification, SCENARIOS, writeReports } from 'gauntlet';
 * const manifest = await loadManifest('connector.yaml');
 * const { report, redactor } = await runCertification({ manifest, manifestArg: 'connector.yaml', scenarios: [...SCENARIOS] });
 * await writeReports(report, 'out', redactor);
 */
export { GauntletError, ERROR_CATALOG, isGauntletError, type ErrorCode, type FieldProblem } from './errors.js';
export { loadManifest, parseManifestText, validateManifest } from './manifest/load.js';
export { MANIFEST_SCHEMA } from './manifest/schema.js';
export { parseEffectCall, matchPath } from './manifest/effects.js';
export { expandEnv } from './manifest/env-expand.js';
export type { Manifest, EffectRule, RunSpec, ConnectorType, Tier, SignatureScheme } from './manifest/types.js';
export { Ledger, type LedgerEntry } from './model/ledger.js';
export type { Delivery, DeliveryOutcome } from './model/delivery.js';
export type { ControlDefinition, CheckOutcome, Counterexample, Verdict, Severity } from './model/control.js';
export { REPORT_SCHEMA_VERSION, type RunReport, type ControlResult, type ScenarioResult, type Finding } from './model/report.js';
export { CONTROLS, controlById, defineControl } from './scoring/controls.js';
export { scoreControls, aggregateControl } from './scoring/score.js';
export { TIER_POLICIES } from './scoring/tier-policies.js';
export { runCertification, type RunOptions, type RunResult } from './runner/run.js';
export { defineScenario, type ScenarioDefinition } from './runner/scenario.js';
export { ScenarioContext, type EventEnvelope } from './runner/context.js';
export { selectScenarios, shardOf, validateCatalog } from './runner/select.js';
export { EmbeddedSandbox } from './sandbox/embedded.js';
export type { StartedSandbox, HubControl, AcquirerControl, FaultSpec, FaultRule, RunSecrets } from './sandbox/types.js';
export { startConnector } from './driver/start.js';
export type { RunningConnector, StartResult } from './driver/types.js';
export { signatureHeaders } from './webhooks/sign.js';
export { buildDelivery } from './webhooks/deliveries.js';
export { WebhookSender } from './webhooks/sender.js';
export { MUTATIONS, mutationById, applyMutation } from './webhooks/mutations.js';
export { SyntheticData } from './data/synthetic.js';
export { EVENT_CATALOG } from './data/event-catalog.js';
export { scanForLeaks } from './leaks/scan.js';
export { Redactor } from './redact.js';
export { SCENARIOS } from '../scenarios/index.js';
export { writeReports } from '../reports/write-reports.js';
export { printConsoleSummary, renderConsoleSummary } from '../reports/console.js';
export type { Reporter } from '../reports/reporter.js';
export { startFaultProxy } from '../mocks/fault-proxy/index.js';
export { TOOL_VERSION } from './version.js';
