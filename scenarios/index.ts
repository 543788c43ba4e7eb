import type { ScenarioDefinition } from '../harness/runner/scenario.js';
import { validEventsProcessed, largeValidEvents } from './acknowledgement.js';
import { missingSecret, rawBodyVerification, signatureAuthenticity } from './authenticity.js';
import { duplicateConcurrent, duplicateSequential } from './duplicates.js';
import { malformedBodies, oversizedBody } from './malformed.js';
import { cancelledBeforeRequested } from './ordering.js';
import { schemaDrift } from './schema-drift.js';
import { dataProtection } from './data-protection.js';
import { loadBurst } from './load.js';
import { dependencyOutage } from './dependency-outage.js';
import { missingScope, revokedMidRun, tokenExpiry } from './credentials.js';
import { outboundErrors, outboundHang } from './outbound-faults.js';
import { chaosResetMidRefund } from './network-chaos.js';
import { egressAllowlist } from './egress.js';
import { killSwitch } from './kill-switch.js';
import { propertySignatures } from './properties/signatures.js';
import { propertySequences } from './properties/sequences.js';
import { propertyMalformed } from './properties/malformed.js';
import { propertyDrift } from './properties/drift.js';

/**
 * The scenario catalogue, in run order. Order matters only for readability of reports:
 * each scenario is self-contained (own seed, own ledger scope).
 */
export const SCENARIOS: readonly ScenarioDefinition[] = [
  validEventsProcessed,
  signatureAuthenticity,
  rawBodyVerification,
  missingSecret,
  duplicateSequential,
  duplicateConcurrent,
  cancelledBeforeRequested,
  malformedBodies,
  schemaDrift,
  largeValidEvents,
  oversizedBody,
  // Property-based suites (clauses 1, 2, 4–7): generated cases, shrunk failures, replay by path.
  propertySignatures,
  propertySequences,
  propertyMalformed,
  propertyDrift,
  dataProtection,
  // Fault injection (clauses 8, 9, 11, 12): each restores the hub and acquirer it broke.
  tokenExpiry,
  revokedMidRun,
  missingScope,
  outboundHang,
  outboundErrors,
  chaosResetMidRefund,
  egressAllowlist,
  killSwitch,
  // Containers sandbox with `services` only (skipped otherwise); before the load burst, whose backlog it must not inherit.
  dependencyOutage,
  // Last: its burst leaves the connector a backlog no earlier scenario should inherit.
  loadBurst,
];
