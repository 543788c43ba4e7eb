import type { RunReport } from '../../harness/model/report.js';
import { REPORT_SCHEMA_VERSION } from '../../harness/model/report.js';

/**
 * Every optional field made required: a fixture of this type fails to compile when
 * RunReport gains a field, which sends whoever added it to the JSON Schema as well
 * (the schema test validates this fixture with additionalProperties: false).
 */
export type DeepRequired<T> = T extends Array<infer U> ? Array<DeepRequired<U>> : T extends object ? { [K in keyof T]-?: DeepRequired<T[K]> } : T;

export const WEBHOOK_SECRET = 'whsec_' + Buffer.from('fixture-key-0123456789abcdef').toString('base64');
export const CLIENT_SECRET = 'cs_fixture_9f8e7d6c5b4a';
export const TOKEN = 'tok_fixture_ABCDEFGHIJKLMNOP';
export const FIXTURE_SECRETS = [
  { name: 'webhook-secret', value: WEBHOOK_SECRET },
  { name: 'client-secret', value: CLIENT_SECRET },
  { name: 'bearer-token', value: TOKEN },
];

/** A complete, ordinary report: 5 controls over clauses 1, 3, 4; one fail, one skip. */
export function fullReport(): DeepRequired<RunReport> {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'gauntlet', version: '0.1.0' },
    runId: 'run_20261203_abc',
    connector: { name: 'acme-refunds', version: '1.4.2', type: 'payout', manifest: 'examples/connectors/acme/connector.yaml' },
    tier: 'critical',
    seed: 42,
    sandbox: 'embedded',
    startedAt: '2026-12-03T16:00:00.000Z',
    finishedAt: '2026-12-03T16:00:12.500Z',
    durationMs: 12_500,
    verdict: 'rejected',
    score: 72.5,
    verdictReasons: ['failed critical control signature-forged-rejected forces rejected at tier critical'],
    partial: false,
    partialReason: '',
    controls: [
      {
        id: 'signature-forged-rejected',
        title: 'Forged signatures are rejected',
        clause: 1,
        severity: 'critical',
        weight: 10,
        status: 'fail',
        evidence: [
          { scenario: 'forged-signatures', status: 'fail', summary: 'accepted a delivery signed with another secret (200)', details: { mutation: 'other-secret' } },
          { scenario: 'forged-signatures-stripe', status: 'fail', summary: 'accepted a truncated signature', details: {} },
        ],
        counterexample: {
          caseId: 'forged-signatures#3',
          seed: 42,
          path: '3:1',
          label: 'signature from another secret',
          request: { method: 'POST', path: '/webhooks', headers: { 'webhook-id': 'msg_1', 'webhook-signature': 'v1,AAAA', 'content-length': '20' }, body: '{"id":"evt_1","x":1}', bodyEncoding: 'utf8', bodyBytes: 20 },
          response: { status: 200, body: 'ok', error: '', durationMs: 12 },
          replay: 'gauntlet replay gauntlet-report/report.json --case forged-signatures#3',
        },
      },
      {
        id: 'signature-missing-rejected',
        title: 'Unsigned deliveries are rejected',
        clause: 1,
        severity: 'critical',
        weight: 10,
        status: 'pass',
        evidence: [{ scenario: 'forged-signatures', status: 'pass', summary: 'all 4 unsigned deliveries got 401', details: {} }],
      } as DeepRequired<RunReport>['controls'][number],
      {
        id: 'signature-future-rejected',
        title: 'Future timestamps are rejected',
        clause: 1,
        severity: 'low',
        weight: 2,
        status: 'fail',
        evidence: [{ scenario: 'timestamps', status: 'fail', summary: 'accepted now+301 s', details: {} }],
      } as DeepRequired<RunReport>['controls'][number],
      {
        id: 'ack-within-sla',
        title: 'Acknowledged within sla.ackMs',
        clause: 3,
        severity: 'high',
        weight: 6,
        status: 'pass',
        evidence: [{ scenario: 'ack-latency', status: 'pass', summary: 'p99 40 ms', details: {} }],
      } as DeepRequired<RunReport>['controls'][number],
      {
        id: 'concurrent-duplicate-single-effect',
        title: 'Concurrent duplicates cause one effect',
        clause: 4,
        severity: 'critical',
        weight: 8,
        status: 'skip',
        evidence: [{ scenario: 'duplicates', status: 'skip', summary: 'manifest declares no effects', details: {} }],
      } as DeepRequired<RunReport>['controls'][number],
    ],
    scenarios: [
      { id: 'forged-signatures', title: 'Forged signatures', pack: 'authenticity', clauses: [1], status: 'failed', durationMs: 1500, reason: '', deliveries: 12, outcomes: [{ control: 'signature-forged-rejected', status: 'fail', summary: 'accepted' }] },
      { id: 'forged-signatures-stripe', title: 'Forged signatures (stripe)', pack: 'authenticity', clauses: [1], status: 'failed', durationMs: 500, reason: '', deliveries: 3, outcomes: [] },
      { id: 'timestamps', title: 'Timestamps', pack: 'authenticity', clauses: [1], status: 'failed', durationMs: 250, reason: '', deliveries: 3, outcomes: [] },
      { id: 'ack-latency', title: 'Ack latency', pack: 'acknowledgement', clauses: [3], status: 'passed', durationMs: 2000, reason: '', deliveries: 50, outcomes: [] },
      { id: 'duplicates', title: 'Duplicates', pack: 'duplicates', clauses: [4], status: 'skipped', durationMs: 0, reason: 'manifest declares no effects', deliveries: 0, outcomes: [] },
      { id: 'kill-switch', title: 'Kill switch', pack: 'credentials', clauses: [12], status: 'timed-out', durationMs: 30_000, reason: 'scenario exceeded its 30000 ms limit', deliveries: 2, outcomes: [] },
    ],
    findings: [{ kind: 'unused-scope', control: 'least-privilege', where: 'manifest scopes', excerpt: 'payouts:write requested, never used' }],
    scopeUsage: { requested: ['risk:write', 'refunds:write'], used: ['risk:write'], unexercisedRules: [] },
    shard: { index: 1, total: 3 },
    mergedFrom: { runIds: ['run_a', 'run_b', 'run_c'], shards: 3 },
    baseline: {
      file: 'previous/report.json',
      runId: 'run_20261202_prev',
      score: 80,
      scoreDelta: -7.5,
      verdict: 'conditional',
      newFailures: [{ id: 'signature-forged-rejected', clause: 1, severity: 'critical' }],
      fixed: ['ack-within-sla'],
      regression: true,
    },
    replay: 'gauntlet run examples/connectors/acme/connector.yaml --seed 42',
    metrics: { ackLatencyMs: [3, 5, 40], timeline: [{ at: 10, kind: 'delivery', label: 'evt_1', status: 200 }] },
    connectorLog: { stdoutTail: ['listening on 4000'], stderrTail: ['warn: slow'], truncatedBytes: 0, exit: { code: null, signal: 'SIGKILL' } },
    ledger: [{ seq: 1, at: 100, target: 'acquirer', method: 'POST', path: '/v1/refunds', status: 200, committed: true, idempotencyKey: 'idem_1', scenarioId: 'duplicates', fault: 'none', destination: 'acquirer.test:443' }],
  };
}

export const ONE_MB = 'A'.repeat(1024 * 1024);
export const HOSTILE = '\u001b[2J\u001b]0;owned\u0007<script>alert(1)</script>]]>\u0000\ud800\r\n\u202egnp.exe\u009b';

/** The full report with connector-originated text at its worst, and the run's secrets planted in it. */
export function hostileReport(): RunReport {
  const r = fullReport() as RunReport;
  const fail = r.controls[0]!;
  fail.evidence[0]!.summary = `${HOSTILE} leaked ${WEBHOOK_SECRET} and Bearer ${TOKEN}`;
  fail.evidence[0]!.details = { body: ONE_MB, header: `Basic ${Buffer.from(`client:${CLIENT_SECRET}`).toString('base64')}`, [TOKEN]: 1 };
  fail.counterexample!.label = `label ${HOSTILE}`;
  fail.counterexample!.request!.body = `{"secret":"${CLIENT_SECRET}","pad":"${ONE_MB}"}`;
  fail.counterexample!.request!.headers['authorization'] = `Bearer ${TOKEN}`;
  fail.counterexample!.response!.body = `${HOSTILE}${ONE_MB}`;
  fail.counterexample!.response!.error = HOSTILE;
  r.controls[4]!.evidence[0]!.summary = `skip ${HOSTILE}`;
  r.scenarios[5]!.reason = `timed out ${HOSTILE} ${Buffer.from(WEBHOOK_SECRET.slice(6), 'base64').toString('hex')}`;
  r.findings[0]!.excerpt = `card 4242424242424242 ${HOSTILE} ${encodeURIComponent(CLIENT_SECRET)}`;
  r.connector.name = `acme${HOSTILE}`;
  r.connectorLog.stderrTail = [`${HOSTILE} secret=${WEBHOOK_SECRET}`, ONE_MB];
  return r;
}

/** Every encoding the tests look for; none may appear in any written report. */
export function secretNeedles(): string[] {
  const key = Buffer.from(WEBHOOK_SECRET.slice(6), 'base64');
  return [WEBHOOK_SECRET, WEBHOOK_SECRET.slice(6), key.toString('hex'), CLIENT_SECRET, encodeURIComponent(CLIENT_SECRET), TOKEN, Buffer.from(`client:${CLIENT_SECRET}`).toString('base64')];
}
