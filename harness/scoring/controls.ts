import { GauntletError } from '../errors.js';
import type { ControlDefinition } from '../model/control.js';

/**
 * The controls catalogue: every fail-safe property of contract section 6 that a run
 * can score. Ids are stable public names (reports, SARIF rule ids, baselines):
 * never rename one; retire it and add a new id instead.
 */
export function defineControl(c: ControlDefinition): ControlDefinition {
  return Object.freeze({ ...c });
}

export const CONTROLS: readonly ControlDefinition[] = [
  // Operability: a prerequisite of clause 3 (a connector that does not start acknowledges nothing).
  defineControl({ id: 'connector-starts-healthy', title: 'Connector starts and becomes healthy within run.startTimeoutMs', clause: 3, severity: 'critical', weight: 10, rationale: 'A connector that cannot start drops every event.' }),

  // Clause 1: authenticity.
  defineControl({ id: 'signature-missing-rejected', title: 'Deliveries without a signature are rejected with no effect', clause: 1, severity: 'critical', weight: 10, rationale: 'Anyone who can reach the endpoint could otherwise trigger effects.' }),
  defineControl({ id: 'signature-forged-rejected', title: 'Wrong, truncated, other-secret and tampered signatures are rejected with no effect', clause: 1, severity: 'critical', weight: 10, rationale: 'A forged or tampered event must never move money.' }),
  defineControl({ id: 'signature-empty-key-rejected', title: 'Signatures computed with an empty key, or empty signature values, are rejected', clause: 1, severity: 'critical', weight: 8, rationale: 'Empty-key HMACs are computable by anyone (RW-04).' }),
  defineControl({ id: 'signature-wrong-version-rejected', title: 'Signatures with an unknown version tag (v0, v2) are rejected', clause: 1, severity: 'high', weight: 5, rationale: 'Version downgrade lets attackers pick a weaker scheme (RW-10).' }),
  defineControl({ id: 'signature-stale-rejected', title: 'Stale timestamps (beyond the tolerance window) are rejected; replays cause no new effect', clause: 1, severity: 'high', weight: 6, rationale: 'Captured deliveries must not be replayable forever (RW-05).' }),
  defineControl({ id: 'signature-future-rejected', title: 'Timestamps beyond the window in the future are rejected', clause: 1, severity: 'low', weight: 2, rationale: 'Some official libraries only check the past (RW-05); lower severity per the contract.' }),
  defineControl({ id: 'signature-timestamp-strict', title: 'Timestamps in milliseconds or with trailing garbage are rejected', clause: 1, severity: 'medium', weight: 4, rationale: 'Unit confusion makes signatures valid far too long (RW-06).' }),
  defineControl({ id: 'signature-rotation-accepted', title: 'During secret rotation a valid signature is accepted in any position of the list', clause: 1, severity: 'medium', weight: 4, rationale: 'Checking only the first signature drops valid events during rotation (RW-10).' }),
  defineControl({ id: 'missing-secret-fails-closed', title: 'Started without a webhook secret, the connector refuses to start or rejects every delivery', clause: 1, severity: 'critical', weight: 8, rationale: 'A missing secret must not silently disable verification (RW-03).' }),

  // Clause 2: raw bytes.
  defineControl({ id: 'raw-body-verified', title: 'A signature over re-serialised bytes is rejected (verification uses the raw body)', clause: 2, severity: 'critical', weight: 8, rationale: 'Verifying a re-serialised body accepts forgeries and breaks on valid events (RW-01).' }),
  defineControl({ id: 'equivalent-bytes-accepted', title: 'Validly signed non-canonical JSON (whitespace, key order, escapes, U+2028) is accepted', clause: 2, severity: 'high', weight: 6, rationale: 'Re-serialising before verifying rejects valid events (RW-01, RW-02).' }),

  // Clause 3: acknowledgement and effects.min.
  defineControl({ id: 'valid-event-acknowledged', title: 'Every valid event is acknowledged with 2xx', clause: 3, severity: 'critical', weight: 10, rationale: 'Unacknowledged events are retried into storms or lost.' }),
  defineControl({ id: 'ack-within-sla', title: 'Valid events are acknowledged within sla.ackMs', clause: 3, severity: 'high', weight: 6, rationale: 'Slow acknowledgements cause hub retries and duplicate deliveries.' }),
  defineControl({ id: 'effects-min-met', title: 'Every accepted event causes its required effects (effects.min): no dropped events', clause: 3, severity: 'high', weight: 6, rationale: 'Acknowledging and then dropping work loses refunds and payouts silently.' }),
  defineControl({ id: 'large-valid-event-accepted', title: 'Valid events up to 256 KiB are accepted and processed', clause: 3, severity: 'medium', weight: 3, rationale: 'A body cap below real payload sizes drops valid events (RW-08).' }),

  // Clause 4: duplicates.
  defineControl({ id: 'effects-max-respected', title: 'No accepted event causes more effects than effects.max', clause: 4, severity: 'critical', weight: 8, rationale: 'Exceeding max means double refunds, captures or payouts.' }),
  defineControl({ id: 'duplicate-delivery-single-effect', title: 'The same delivery sent again causes no second effect', clause: 4, severity: 'critical', weight: 10, rationale: 'Hubs deliver at least once; duplicates are normal.' }),
  defineControl({ id: 'concurrent-duplicate-single-effect', title: 'Concurrent duplicates of a delivery cause one effect', clause: 4, severity: 'critical', weight: 8, rationale: 'Check-then-act races double-process concurrent retries.' }),
  defineControl({ id: 'redelivery-new-id-single-effect', title: 'The same event under a new delivery id causes no second effect', clause: 4, severity: 'high', weight: 6, rationale: 'De-duplicating by delivery id instead of event id misses hub redeliveries.' }),

  // Clause 5: ordering.
  defineControl({ id: 'cancelled-object-no-effect', title: 'No effect follows for an object whose cancelling event was accepted first', clause: 5, severity: 'high', weight: 6, rationale: 'Refunding a cancelled refund moves money the merchant withdrew.' }),

  // Clause 6: malformed input.
  defineControl({ id: 'malformed-rejected-4xx', title: 'Malformed bodies get 4xx, never 5xx', clause: 6, severity: 'high', weight: 6, rationale: '5xx makes the hub retry poison messages forever (RW-09).' }),
  defineControl({ id: 'malformed-no-effect', title: 'Malformed bodies cause no effect', clause: 6, severity: 'critical', weight: 8, rationale: 'Type confusion must not reach money movement.' }),
  defineControl({ id: 'malformed-stays-healthy', title: 'After malformed input the connector stays up and processes the next valid event', clause: 6, severity: 'high', weight: 6, rationale: 'One bad body must not take the integration down (RW-09).' }),
  defineControl({ id: 'oversized-body-rejected', title: 'Bodies far over the cap get 4xx (413) without crashing the connector', clause: 6, severity: 'medium', weight: 4, rationale: 'Buffering huge bodies whole is a denial-of-service vector (RW-08).' }),

  // Clause 7: schema drift.
  defineControl({ id: 'unknown-event-type-acknowledged', title: 'An unknown event type is acknowledged (2xx) and ignored', clause: 7, severity: 'medium', weight: 4, rationale: 'New event types are added without notice; crashing on them loses everything (RW-07).' }),
  defineControl({ id: 'additive-fields-tolerated', title: 'Unknown additional fields are tolerated', clause: 7, severity: 'medium', weight: 4, rationale: 'Additive changes are backwards compatible by contract.' }),
  defineControl({ id: 'drifted-critical-data-no-effect', title: 'Unknown enum values, type changes, missing critical fields or unknown api_version cause no effect', clause: 7, severity: 'high', weight: 6, rationale: 'Guessing about amounts, currencies or statuses moves the wrong money.' }),

  // Clause 8: credentials.
  defineControl({ id: 'revoked-credentials-no-effect', title: 'No effect succeeds after credentials are revoked', clause: 8, severity: 'critical', weight: 8, rationale: 'Revocation is the incident response lever.' }),
  defineControl({ id: 'no-retry-storm-on-401', title: 'Calls after a 401 stay bounded and backed off', clause: 8, severity: 'high', weight: 6, rationale: 'Retry storms turn a revoked key into a denial of service.' }),
  defineControl({ id: 'expired-token-refreshed', title: 'An expired token is refreshed and processing recovers', clause: 8, severity: 'high', weight: 5, rationale: 'Short-lived tokens are the norm; never refreshing stops all effects.' }),
  defineControl({ id: 'least-privilege-scopes', title: 'Every requested scope is used', clause: 8, severity: 'low', weight: 2, rationale: 'Unused scopes widen the blast radius of a leaked token.' }),

  // Clause 9: outbound faults.
  defineControl({ id: 'outbound-timeout-respected', title: 'Outbound calls give up within sla.outboundTimeoutMs', clause: 9, severity: 'high', weight: 5, rationale: 'Hung calls exhaust workers and stall every event behind them.' }),
  defineControl({ id: 'retry-after-honored', title: 'Retry-After on 429/503 is honored', clause: 9, severity: 'medium', weight: 4, rationale: 'Ignoring Retry-After amplifies an outage.' }),
  defineControl({ id: 'no-double-money-movement', title: 'Retries after faults never cause a second capture, refund or payout', clause: 9, severity: 'critical', weight: 10, rationale: 'Retries must reuse the idempotency key.' }),

  // Clause 10: data protection.
  defineControl({ id: 'no-secret-leak', title: 'No run secret or token appears in logs, responses or egress', clause: 10, severity: 'critical', weight: 10, rationale: 'Leaked secrets let anyone forge events or call the hub.' }),
  defineControl({ id: 'no-sensitive-data-leak', title: 'No card number, CVV, card token or customer email appears in logs, responses or egress', clause: 10, severity: 'high', weight: 6, rationale: 'Logs and forwards are the usual route of PCI and GDPR incidents.' }),

  // Clause 11: egress.
  defineControl({ id: 'egress-allowlisted', title: 'Egress goes only to the manifest egress destinations', clause: 11, severity: 'high', weight: 6, rationale: 'Exfiltration to third hosts is the worst case of a partially trusted connector.' }),

  // Clause 12: kill switch.
  defineControl({ id: 'kill-switch-stops-effects', title: 'Effects stop within a bound after the kill switch', clause: 12, severity: 'critical', weight: 8, rationale: 'Disabling a connector must actually stop it.' }),

  // Clause 3 under load (the load pack): the other load checks reuse the clause 3/4 controls above.
  defineControl({ id: 'load-no-dropped-events', title: 'Under a burst of signed load, every acknowledged event causes its required effects (effects.min): none is dropped', clause: 3, severity: 'critical', weight: 8, rationale: 'A connector that acknowledges and then drops work under load loses events systematically, and the hub, holding a 2xx, never redelivers them: refunds and payouts vanish.' }),
  defineControl({ id: 'load-ack-within-sla', title: 'Under a burst of signed load, acknowledgements stay within sla.ackMs', clause: 3, severity: 'critical', weight: 8, rationale: 'Sustained slow acknowledgements make the hub time out and redeliver everything: a retry storm that multiplies the load it cannot handle.' }),
  defineControl({ id: 'load-stays-healthy', title: 'After a burst of signed load the connector is up, healthy and processes the next valid event', clause: 3, severity: 'high', weight: 5, rationale: 'A connector that falls over under a burst drops every event after it, and the hub retries into a storm.' }),
  defineControl({ id: 'dependency-outage-fails-closed', title: 'While a dependency (Redis/PostgreSQL) is down, valid events cause no effect, the connector does not crash, and processing recovers after', clause: 9, severity: 'critical', weight: 8, rationale: 'Without its store a connector cannot tell duplicates or state apart; acting anyway moves money twice.' }),
];

const BY_ID = new Map(CONTROLS.map((c) => [c.id, c]));

export function controlById(id: string): ControlDefinition {
  const c = BY_ID.get(id);
  if (!c) throw new GauntletError('GAUNTLET_ERR_CATALOG_INVALID', `unknown control id "${id}"`);
  return c;
}

export function hasControl(id: string): boolean {
  return BY_ID.has(id);
}
