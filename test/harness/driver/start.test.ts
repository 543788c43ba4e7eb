import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { reapAll } from '../../../harness/driver/reaper.js';
import { startConnector } from '../../../harness/driver/start.js';
import type { Manifest, RunSpec } from '../../../harness/manifest/types.js';
import { HOSTILE_DIR } from './hostile-fixture.js';

afterEach(() => reapAll());

function manifest(run: Partial<RunSpec>): Manifest {
  const dir = path.join(HOSTILE_DIR, 'well-behaved');
  return {
    apiVersion: 'gauntlet/v1',
    name: 'well-behaved',
    version: '0.0.1',
    type: 'other',
    tier: 'medium',
    run: { cwd: dir, startTimeoutMs: 5000, env: {}, ...run },
    webhooks: { path: '/webhooks', scheme: 'standard-webhooks', events: ['payment.captured'], toleranceSec: 300 },
    scopes: [],
    egress: [],
    effects: {},
    sla: { ackMs: 2000, outboundTimeoutMs: 5000 },
    services: [],
    source: { path: path.join(dir, 'connector.yaml'), dir },
  };
}

describe('startConnector', () => {
  it('runs run.command with exactly the env it is given (plus PORT)', async () => {
    const env = { PATH: process.env.PATH ?? '', WEBHOOK_SECRET: 'whsec_test' };
    const r = await startConnector(manifest({ command: ['node', 'server.mjs'], healthPath: '/health' }), env);
    if (!r.ok) throw new Error(r.message);
    expect(await r.connector.checkHealth()).toBe(true);
    await r.connector.stop();
    expect(r.connector.exitInfo()?.code).toBe(0);
  });

  it('attaches to run.url', async () => {
    const started = await startConnector(manifest({ command: ['node', 'server.mjs'], healthPath: '/health' }), { PATH: process.env.PATH ?? '' });
    if (!started.ok) throw new Error(started.message);
    const attached = await startConnector(manifest({ url: started.connector.baseUrl, healthPath: '/health' }), {});
    expect(attached.ok && attached.connector.baseUrl).toBe(started.connector.baseUrl);
    await started.connector.stop();
  });

  it('says clearly that container forms are not the process driver’s job', async () => {
    const r = await startConnector(manifest({ image: 'example.test/x:1' }), {});
    expect(r).toMatchObject({ ok: false, reason: 'spawn-failed' });
    expect(!r.ok && r.message).toContain('run.image is not supported by the process driver');
  });
});
