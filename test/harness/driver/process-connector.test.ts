import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isGauntletError } from '../../../harness/errors.js';
import { isSameLiveProcess, readStat } from '../../../harness/driver/proc-table.js';
import { escapeControl, startProcessConnector, type ProcessConnector, type StartProcessOptions } from '../../../harness/driver/process-connector.js';
import { liveCount, reapAll } from '../../../harness/driver/reaper.js';
import { fixtureOptions, HOSTILE_DIR, liveTagged, waitFor } from './hostile-fixture.js';

const started: ProcessConnector[] = [];
afterEach(async () => {
  await Promise.allSettled(started.splice(0).map((c) => c.stop()));
  await reapAll();
});

/** Starts that should succeed get a generous budget: the machine is shared, node start-up varies. */
async function startOk(opts: StartProcessOptions): Promise<ProcessConnector> {
  const r = await startProcessConnector({ ...opts, startTimeoutMs: Math.max(opts.startTimeoutMs, 10_000) });
  if (!r.ok) throw new Error(`expected a start, got ${r.reason}: ${r.message}`);
  started.push(r.connector);
  return r.connector;
}

/** Start-failure slack: the stop after a failed start plus process start-up on a busy machine. */
const GRACE_MS = 3000;

describe('startProcessConnector: a well-behaved connector', () => {
  it('starts on a picked port, answers, and stops cleanly on SIGTERM', async () => {
    const c = await startOk(fixtureOptions('well-behaved'));
    expect(c.baseUrl).toBe(`http://127.0.0.1:${c.port}`);
    expect(await c.checkHealth()).toBe(true);
    const res = await fetch(`${c.baseUrl}/webhooks`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(204);
    expect(c.exitInfo()).toBeUndefined();
    await c.stop();
    expect(c.exitInfo()).toEqual({ code: 0, signal: null });
    expect(c.logs.stdoutTail()).toEqual([`listening on ${c.port}`, 'SIGTERM: shutting down']);
    expect(await c.checkHealth()).toBe(false);
    expect(c.livePids()).toEqual([]);
    await c.stop(); // idempotent
  });

  it('passes PORT and the given env, and nothing else of the harness environment', async () => {
    process.env.GAUNTLET_TEST_HARNESS_ONLY = 'must-not-leak';
    try {
      const script = "require('http').createServer((q,s)=>s.end(JSON.stringify(process.env))).listen(+process.env.PORT,'127.0.0.1')";
      const c = await startOk({ command: [process.execPath, '-e', script], cwd: HOSTILE_DIR, env: { WEBHOOK_SECRET: 'whsec_x' }, healthPath: '/', startTimeoutMs: 5000 });
      const env = (await (await fetch(c.baseUrl)).json()) as Record<string, string>;
      expect(env.PORT).toBe(String(c.port));
      expect(env.WEBHOOK_SECRET).toBe('whsec_x');
      expect(env.PATH).toBe(process.env.PATH);
      expect(env.GAUNTLET_TEST_HARNESS_ONLY).toBeUndefined();
      expect(env.GAUNTLET_PROCESS_TAG).toBe(c.tree.tag);
    } finally {
      delete process.env.GAUNTLET_TEST_HARNESS_ONLY;
    }
  });

  it('is ready on an open port when there is no health path', async () => {
    const { healthPath: _ignored, ...opts } = fixtureOptions('accepts-never-answers');
    const c = await startOk(opts);
    expect(await c.checkHealth(500)).toBe(true);
  });

  it('refuses a fixed port another program already holds', async () => {
    const first = await startOk(fixtureOptions('well-behaved'));
    const r = await startProcessConnector({ ...fixtureOptions('well-behaved'), port: first.port });
    expect(r).toMatchObject({ ok: false, reason: 'spawn-failed' });
    expect(!r.ok && r.message).toContain(`port ${first.port}`);
  });

  it('rejects bad options with a coded error naming the field', async () => {
    const err = await startProcessConnector({ command: [], cwd: HOSTILE_DIR, env: {}, startTimeoutMs: 0 }).catch((e: unknown) => e);
    expect(isGauntletError(err) && err.code).toBe('GAUNTLET_ERR_MANIFEST_INVALID');
    expect(isGauntletError(err) && err.problems.map((p) => p.path)).toEqual(['run.command', 'run.startTimeoutMs']);
  });
});

describe('startProcessConnector: start failures are values with a reason', () => {
  it('spawn-failed names the command and the folder', async () => {
    const r = await startProcessConnector({ command: ['gauntlet-no-such-program-xyz', '--flag'], cwd: HOSTILE_DIR, env: {}, startTimeoutMs: 2000 });
    expect(r).toMatchObject({ ok: false, reason: 'spawn-failed' });
    expect(!r.ok && r.message).toContain('gauntlet-no-such-program-xyz --flag');
    expect(!r.ok && r.message).toContain(HOSTILE_DIR);
    expect(!r.ok && r.message).toContain('ENOENT');

    const missing = path.join(HOSTILE_DIR, 'no-such-folder');
    const r2 = await startProcessConnector({ command: ['node', 'server.mjs'], cwd: missing, env: {}, startTimeoutMs: 2000 });
    expect(r2).toMatchObject({ ok: false, reason: 'spawn-failed' });
    expect(!r2.ok && r2.message).toContain(`${missing} does not exist`);
  });

  it('exited-during-start reports the exit code and the last stderr lines', async () => {
    const opts = fixtureOptions('exits-during-start');
    const r = await startProcessConnector(opts);
    expect(r).toMatchObject({ ok: false, reason: 'exited-during-start', exit: { code: 3, signal: null } });
    expect(!r.ok && r.message).toContain('exited with code 3 during start');
    expect(!r.ok && r.message).toContain('| fatal: missing configuration file /etc/connector.conf');
    expect(!r.ok && r.logs.stdoutTail()).toEqual(['loading configuration']);
    expect(!r.ok && r.elapsedMs).toBeLessThan(opts.startTimeoutMs + GRACE_MS);
  });

  // Each runs on its own: they all wait the full start timeout, so they share the wall clock.
  const neverHealthy: Array<[string, Record<string, string>, RegExp]> = [
    ['never-listens', {}, /\(GET \/health: connection refused\)/],
    ['wrong-port', {}, /\(GET \/health: connection refused\)/],
    ['accepts-never-answers', {}, /\(GET \/health: no answer within \d+ ms\)/],
    ['slow-everything', {}, /\(GET \/health: no answer within \d+ ms\)/],
    ['non-http-bytes', {}, /\(GET \/health: (not an HTTP response \(HPE_[A-Z_]+\)|connection reset)\)/],
    ['giant-headers', { GIANT_ON_HEALTH: '1' }, /\(GET \/health: response headers too large\)/],
  ];
  it('not-healthy-in-time for every listener that never becomes healthy, within the bound', async () => {
    const results = await Promise.all(
      neverHealthy.map(async ([name, env]) => {
        // A budget above the manifests' 2000 ms: six node start-ups at once on a shared machine.
        const opts = { ...fixtureOptions(name, env), startTimeoutMs: 5000 };
        return { name, opts, r: await startProcessConnector(opts) };
      }),
    );
    for (const { name, opts, r } of results) {
      const expected = neverHealthy.find(([n]) => n === name)?.[2] as RegExp;
      expect(r, name).toMatchObject({ ok: false, reason: 'not-healthy-in-time' });
      if (r.ok) continue;
      expect(r.message, name).toContain(`did not become healthy within ${opts.startTimeoutMs} ms`);
      expect(r.message, name).toMatch(expected);
      expect(r.elapsedMs, name).toBeGreaterThanOrEqual(opts.startTimeoutMs - 50);
      expect(r.elapsedMs, name).toBeLessThan(opts.startTimeoutMs + GRACE_MS);
    }
    const wrongPort = results.find((x) => x.name === 'wrong-port');
    expect(wrongPort && !wrongPort.r.ok && wrongPort.r.message).toMatch(/\| listening on \d+ \(not \d+\)/);
    expect(liveCount()).toBe(0);
  });

  it('an abort stops the start and the process', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const t0 = Date.now();
    const err = await startProcessConnector({ ...fixtureOptions('never-listens'), startTimeoutMs: 30_000, signal: ac.signal }).catch((e: unknown) => e);
    expect(isGauntletError(err) && err.code).toBe('GAUNTLET_ERR_INTERRUPTED');
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(liveCount()).toBe(0);
  });
});

describe('stop(): the whole tree, bounded', () => {
  it('SIGKILLs a connector that ignores SIGTERM once the grace is over', async () => {
    const c = await startOk({ ...fixtureOptions('ignores-sigterm'), stopGraceMs: 800 });
    const t0 = Date.now();
    await c.stop();
    expect(c.exitInfo()).toEqual({ code: null, signal: 'SIGKILL' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(700);
    expect(Date.now() - t0).toBeLessThan(800 + GRACE_MS);
    expect(c.logs.stdoutTail()).toContain('SIGTERM received, ignoring it');
  });

  it('orphan-children: detached and double-forked descendants die too', async () => {
    const c = await startOk({ ...fixtureOptions('orphan-children'), stopGraceMs: 500 });
    // Five children, the last one 300 ms after listening.
    expect(await waitFor(() => c.logs.stdoutTail(10).length >= 5, 5000)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    const tag = c.tree.tag;
    const before = liveTagged(tag);
    expect(before.length).toBeGreaterThanOrEqual(6); // root, 3 direct children, 2 sleepers reparented after their shell exited
    await c.stop();
    const recorded = c.recordedPids();
    for (const pid of before) expect(recorded).toContain(pid);
    expect(recorded.filter((pid) => { const e = readStat(pid); return e !== undefined && e.state !== 'Z'; })).toEqual([]);
    expect(liveTagged(tag)).toEqual([]);
  });

  it('fork-bomb: a respawning group with escapees leaves nothing alive', async () => {
    const c = await startOk({ ...fixtureOptions('fork-bomb', { FORK_BOMB_MAX: '12' }), stopGraceMs: 500 });
    const tag = c.tree.tag;
    expect(await waitFor(() => liveTagged(tag).length >= 10, 5000)).toBe(true);
    await c.stop();
    expect(c.livePids()).toEqual([]);
    expect(liveTagged(tag)).toEqual([]);
    const recorded = c.recordedPids();
    expect(recorded.length).toBeGreaterThanOrEqual(10);
    expect(recorded.filter((pid) => { const e = readStat(pid); return e !== undefined && e.state !== 'Z'; })).toEqual([]);
  });

  it('reapAll() stops every connector still running', async () => {
    const a = await startOk(fixtureOptions('well-behaved'));
    const b = await startOk({ ...fixtureOptions('ignores-sigterm'), stopGraceMs: 300 });
    expect(liveCount()).toBe(2);
    await reapAll();
    expect(liveCount()).toBe(0);
    expect(a.exitInfo()).toBeDefined();
    expect(b.exitInfo()?.signal).toBe('SIGKILL');
  });

  it('the exit safety net kills connectors of a harness that exits without stopping them', () => {
    const driver = path.resolve(HOSTILE_DIR, '../../../harness/driver/process-connector.ts');
    const script = `
      import { startProcessConnector } from ${JSON.stringify(driver)};
      const r = await startProcessConnector({ command: ['node', 'server.mjs'], cwd: ${JSON.stringify(path.join(HOSTILE_DIR, 'orphan-children'))}, env: {}, healthPath: '/health', startTimeoutMs: 5000 });
      if (!r.ok) { console.log('FAILED ' + r.message); process.exit(1); }
      await new Promise((res) => setTimeout(res, 700));
      console.log('TAG ' + r.connector.tree.tag);
      process.exit(0);`;
    const out = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: path.resolve(HOSTILE_DIR, '../../..'),
      encoding: 'utf8',
      timeout: 30_000,
    });
    const tag = /TAG ([0-9a-f]+)/.exec(out.stdout)?.[1];
    expect(tag, out.stdout + out.stderr).toBeDefined();
    const survivors = liveTagged(tag as string);
    // Never leave them behind, even when the assertion below fails.
    for (const pid of survivors) process.kill(pid, 'SIGKILL');
    expect(survivors).toEqual([]);
  });
});

describe('connectors that misbehave after starting', () => {
  it('log-flood: the pipes stay drained, memory stays bounded, truncation is counted', async () => {
    const c = await startOk({ ...fixtureOptions('log-flood', { FLOOD_SECONDS: '20' }), logCapBytes: 256 * 1024 });
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const end = Date.now() + 2000;
    while (Date.now() < end) {
      await new Promise((r) => setTimeout(r, 100));
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    // A blocked child would stop answering: health proves it can still write and serve.
    expect(await c.checkHealth(2000)).toBe(true);
    expect(c.logs.stdout.totalBytes()).toBeGreaterThan(4 * 256 * 1024);
    expect(c.logs.truncatedBytes()).toBeGreaterThan(0);
    expect(c.logs.stdout.keptBytes()).toBeLessThanOrEqual(256 * 1024 + 4096);
    expect(c.logs.stderrTail(2000).some((l) => l.endsWith('bytes cut]'))).toBe(true);
    expect(c.logs.stdoutTail(5)).toContain('flood line with some payload 0123456789abcdefghijklmnopqrstuvwxyz');
    expect(peak - rss0).toBeLessThan(150 * 1024 * 1024);
    await c.stop();
  });

  it('memory-hog dies of its heap limit and exitInfo says how', async () => {
    const c = await startOk(fixtureOptions('memory-hog'));
    const exit = await Promise.race([c.exited, new Promise((r) => setTimeout(r, 20_000))]);
    expect(exit).toBeDefined();
    const info = c.exitInfo();
    expect(info && (info.signal !== null || info.code !== 0)).toBe(true);
    expect(c.logs.text('stderr')).toMatch(/heap/i);
    expect(await c.checkHealth()).toBe(false);
  });

  it('exits-after-first-event: the exit is recorded', async () => {
    const c = await startOk(fixtureOptions('exits-after-first-event'));
    await fetch(`${c.baseUrl}/webhooks`, { method: 'POST', body: '{}' }).catch(() => undefined);
    await Promise.race([c.exited, new Promise((r) => setTimeout(r, 5000))]);
    expect(c.exitInfo()).toEqual({ code: 1, signal: null });
  });

  it('hostile-text: logs are kept raw, start-failure messages are escaped', async () => {
    const c = await startOk(fixtureOptions('hostile-text'));
    expect(c.logs.text('stdout')).toContain('<script>alert("xss")</script>');
    expect(c.logs.text('stdout')).toContain('\u001b[31m');
    expect(escapeControl('a\u001b[31mb\u0007\r\n\tc')).toBe('a\\x1b[31mb\\x07\\x0d\\x0a\tc');
  });
});

describe('recycled pids', () => {
  it('a recorded pid whose start time differs is not ours', () => {
    const self = readStat(process.pid);
    expect(isSameLiveProcess(process.pid, (self?.startTime ?? 0) - 1)).toBe(false);
  });
});
