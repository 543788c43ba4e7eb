/** The contract's example manifest, in YAML (block style, as the contract writes it) and as data. */
export const VALID_YAML = `apiVersion: gauntlet/v1
name: acme-refunds
version: 1.4.2
type: payout
owner: payments-security@example.test
run: { command: ["node", "server.js"], healthPath: /health, startTimeoutMs: 15000, env: { STRIPE_WEBHOOK_SECRET: "\${WEBHOOK_SECRET}" } }
webhooks: { path: /webhooks, scheme: standard-webhooks, events: [payment.captured, refund.requested, refund.canceled] }
scopes: [payments:read, refunds:write, risk:write]
egress: [hub, acquirer]
effects:
  refund.requested:
    - { call: acquirer POST /v1/refunds, max: 1, min: 1, cancelledBy: [refund.canceled] }
  payment.captured:
    call: POST /v1/payments/{id}/risk_assessments
    max: 1
    min: 1
sla: { ackMs: 2000, outboundTimeoutMs: 5000 }
`;

/** A fresh deep copy each call, so tests can mutate it. */
export function validData(): Record<string, any> {
  return {
    apiVersion: 'gauntlet/v1',
    name: 'acme-refunds',
    version: '1.4.2',
    type: 'payout',
    owner: 'payments-security@example.test',
    run: { command: ['node', 'server.js'], healthPath: '/health', startTimeoutMs: 15000, env: { STRIPE_WEBHOOK_SECRET: '${WEBHOOK_SECRET}' } },
    webhooks: { path: '/webhooks', scheme: 'standard-webhooks', events: ['payment.captured', 'refund.requested', 'refund.canceled'] },
    scopes: ['payments:read', 'refunds:write', 'risk:write'],
    egress: ['hub', 'acquirer'],
    effects: {
      'refund.requested': [{ call: 'acquirer POST /v1/refunds', max: 1, min: 1, cancelledBy: ['refund.canceled'] }],
      'payment.captured': { call: 'POST /v1/payments/{id}/risk_assessments', max: 1, min: 1 },
    },
    sla: { ackMs: 2000, outboundTimeoutMs: 5000 },
  };
}

/** The example of contract section 2, verbatim (block style, comments and all). */
export const CONTRACT_EXAMPLE_YAML = `apiVersion: gauntlet/v1
name: acme-refunds
version: 1.4.2
type: payout                 # see table above; sets the default tier
tier: critical               # optional: may only RAISE the default tier
owner: payments-security@example.test
run:                         # exactly one of command | image | dockerfile | url
  command: ["node", "server.js"]
  cwd: .                     # relative to the manifest's own folder (the default)
  port: 8080                 # optional; otherwise the harness picks one and sets PORT
  healthPath: /health        # optional: GET → 2xx when ready; without it, ready = port open
  startTimeoutMs: 15000
  env:                       # optional: extra variables, \${NAME} expands the harness's own
    STRIPE_WEBHOOK_SECRET: \${WEBHOOK_SECRET}   # (section 3), so a real connector keeps
    API_BASE: \${HUB_API_URL}                   #  its own variable names
webhooks:
  path: /webhooks
  scheme: standard-webhooks  # standard-webhooks | stripe | github | hmac-sha256
  events: [payment.captured, refund.requested]
scopes: [payments:read, refunds:write]   # hub API scopes requested
egress: [hub, acquirer]      # sandbox names, or host[:port] patterns
effects:                     # the oracle: what an accepted event must cause
  refund.requested:          # one entry, or a list of entries
    - call: acquirer POST /v1/refunds   # [hub|acquirer] METHOD PATH; target defaults to hub;
      max: 1                 #   {…} in a path matches one segment
      min: 1                 # max: at most this many per distinct event id (idempotency)
    - call: hub POST /v1/refunds        # min: at least this many, eventually (no dropped events)
      max: 1
      cancelledBy: [refund.canceled]    # no effect for an object (same data.object.id)
                                        #   whose cancelling event was delivered first
  payment.captured:
    call: POST /v1/payments/{id}/risk_assessments
    max: 1
    min: 1
sla:
  ackMs: 2000                # webhook must be answered within this
  outboundTimeoutMs: 5000    # the connector's own timeout on outbound calls
`;
