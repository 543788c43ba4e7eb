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
