import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { startProcessConnector, type ProcessConnector } from '../../../harness/driver/process-connector.js';
import { reapAll } from '../../../harness/driver/reaper.js';
import { loadManifest } from '../../../harness/manifest/load.js';
import { fixtureOptions, HOSTILE_DIR } from './hostile-fixture.js';

// The fixtures must misbehave exactly as described, or the tests built on them prove nothing.
const started: ProcessConnector[] = [];
afterEach(async () => {
  await Promise.allSettled(started.splice(0).map((c) => c.stop()));
  await reapAll();
});

async function start(name: string, env: Record<string, string> = {}): Promise<ProcessConnector> {
  const r = await startProcessConnector({ ...fixtureOptions(name, env), startTimeoutMs: 10_000 });
  if (!r.ok) throw new Error(`${name}: ${r.message}`);
  started.push(r.connector);
  return r.connector;
}

/** POST and read at most `limit` body bytes, then drop the connection. */
function post(baseUrl: string, limit: number): Promise<{ status: number; headers: http.IncomingHttpHeaders; bytes: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${baseUrl}/webhooks`, { method: 'POST', agent: false, maxHeaderSize: 4 * 1024 * 1024 }, (res) => {
      let bytes = 0;
      let body = '';
      const done = () => {
        res.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes, body });
      };
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        if (body.length < 4096) body += c.toString('utf8');
        if (bytes >= limit) done();
      });
      res.on('end', done);
      res.on('error', () => undefined);
    });
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end('{}');
  });
}

describe('hostile fixtures behave as described', () => {
  it('every fixture has a manifest the real loader accepts, running its server.mjs with node', async () => {
    const names = readdirSync(HOSTILE_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    expect(names.length).toBeGreaterThanOrEqual(17);
    for (const name of names) {
      const m = await loadManifest(path.join(HOSTILE_DIR, name, 'connector.yaml'));
      expect(m.run.command?.[0], name).toBe('node');
      expect(m.run.command?.at(-1), name).toBe('server.mjs');
      expect(m.run.cwd, name).toBe(path.join(HOSTILE_DIR, name));
      expect(m.webhooks, name).toMatchObject({ path: '/webhooks', scheme: 'standard-webhooks', events: ['payment.captured'] });
      expect(m.run.startTimeoutMs, name).toBe(2000);
    }
  });

  it('endless-body keeps sending past any sensible cap', async () => {
    const c = await start('endless-body');
    const r = await post(c.baseUrl, 2 * 1024 * 1024);
    expect(r.status).toBe(200);
    expect(r.bytes).toBeGreaterThanOrEqual(2 * 1024 * 1024);
    expect(await c.checkHealth()).toBe(true);
  });

  it('huge-body declares 1 GB and streams only what is read', async () => {
    const c = await start('huge-body');
    const r = await post(c.baseUrl, 1024 * 1024);
    expect(r.headers['content-length']).toBe('1000000000');
    expect(r.bytes).toBeGreaterThanOrEqual(1024 * 1024);
  });

  it('giant-headers answers POST with about 1 MiB of headers', async () => {
    const c = await start('giant-headers');
    const r = await post(c.baseUrl, 1);
    const size = Object.entries(r.headers).reduce((n, [k, v]) => n + k.length + String(v).length, 0);
    expect(size).toBeGreaterThan(1_000_000);
  });

  it('hostile-text answers with HTML, script and ANSI escapes', async () => {
    const c = await start('hostile-text');
    const r = await post(c.baseUrl, 1 << 20);
    expect(r.headers['content-type']).toContain('text/html');
    expect(r.body).toContain('<script>alert("xss")</script>');
    expect(r.body).toContain('\u001b[31m');
    expect(c.logs.text('stderr')).toContain('[gauntlet] PASS');
  });
});
