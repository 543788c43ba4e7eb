import { connect, type Socket } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { destinationOf, parseDestination } from '../../../harness/egress/protocol.js';
import { startEgressReportServer, type EgressReportServer } from '../../../harness/egress/report-server.js';
import { Ledger } from '../../../harness/model/ledger.js';

const open: EgressReportServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function client(address: string): Promise<{ socket: Socket; send(line: string): void; nextLine(): Promise<string | undefined> }> {
  const [host, port] = address.split(':');
  const socket = connect({ host: host!, port: Number(port) });
  await new Promise<void>((r, j) => socket.once('connect', () => r()).once('error', j));
  socket.setEncoding('utf8');
  let buf = '';
  const waiters: Array<(l: string | undefined) => void> = [];
  socket.on('data', (c: string) => {
    buf += c;
    let nl: number;
    while ((nl = buf.indexOf('\n')) !== -1) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      waiters.shift()?.(line);
    }
  });
  socket.on('close', () => waiters.splice(0).forEach((w) => w(undefined)));
  return {
    socket,
    send: (line) => socket.write(`${line}\n`),
    nextLine: () => new Promise((r) => {
      const t = setTimeout(() => r(undefined), 2_000);
      waiters.push((l) => {
        clearTimeout(t);
        r(l);
      });
    }),
  };
}

describe('egress report channel (harness side)', () => {
  it('answers checks with the sandbox allow-list and records only blocked attempts for disallowed destinations', async () => {
    const ledger = new Ledger();
    const s = await startEgressReportServer({ ledger, allows: (h, p) => h === '127.0.0.1' && p === 9001, alsoAllow: ['127.0.0.1:3128'] });
    open.push(s);
    const c = await client(s.address);
    c.send(JSON.stringify({ op: 'check', id: 1, method: 'POST', destination: '127.0.0.1:9001', path: '/v1/refunds' }));
    expect(JSON.parse((await c.nextLine())!)).toEqual({ id: 1, allow: true });
    c.send(JSON.stringify({ op: 'check', id: 2, method: 'GET', destination: '127.0.0.1:3128', path: '/' }));
    expect(JSON.parse((await c.nextLine())!)).toEqual({ id: 2, allow: true });
    c.send(JSON.stringify({ op: 'check', id: 3, method: 'POST', destination: 'collector.evil.test:80', path: '/' }));
    expect(JSON.parse((await c.nextLine())!)).toEqual({ id: 3, allow: false });
    // A "blocked" report for an allowed destination is a lie and is ignored; garbage is ignored.
    c.send(JSON.stringify({ op: 'blocked', method: 'POST', destination: '127.0.0.1:9001', path: '/v1/refunds' }));
    c.send('{not json');
    c.send(JSON.stringify({ op: 'blocked', method: 'post', destination: 'collector.evil.test:80', path: '/x/pay_abc', body: 'email=a@b.test' }));
    c.send(JSON.stringify({ op: 'check', id: 4, method: 'GET', destination: 'nope', path: '/' }));
    expect(JSON.parse((await c.nextLine())!)).toEqual({ id: 4, allow: false });
    const egress = ledger.all();
    expect(egress).toHaveLength(1);
    expect(egress[0]).toMatchObject({ target: 'egress', method: 'POST', path: '/x/pay_abc', status: 403, destination: 'collector.evil.test:80', observedBy: 'interceptor', requestBody: 'email=a@b.test', objectIds: ['pay_abc'] });
    expect(s.allowedSeen().sort()).toEqual(['127.0.0.1:3128', '127.0.0.1:9001']);
    c.socket.destroy();
  });

  it('drops a connection that sends an over-long line instead of buffering it', async () => {
    const s = await startEgressReportServer({ ledger: new Ledger(), allows: () => true });
    open.push(s);
    const c = await client(s.address);
    const closed = new Promise<void>((r) => c.socket.once('close', () => r()));
    c.socket.write('x'.repeat(200 * 1024));
    await closed;
    expect(c.socket.destroyed).toBe(true);
  });

  it('parseDestination and destinationOf agree for any host and port', () => {
    fc.assert(
      fc.property(fc.oneof(fc.domain(), fc.ipV4(), fc.ipV6().map((h) => `[${h}]`)), fc.integer({ min: 1, max: 65535 }), (host, port) => {
        const url = new URL(`http://${host}:${port}/p`);
        const d = parseDestination(destinationOf(url));
        expect(d).toBeDefined();
        expect(d!.port).toBe(Number(url.port || 80));
      }),
      { numRuns: 200 },
    );
    expect(parseDestination('host:0')).toBeUndefined();
    expect(parseDestination('host:70000')).toBeUndefined();
    expect(parseDestination('no-port')).toBeUndefined();
  });
});
