import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

const CARD = '4000 0566 5566 5556';
const EMAIL = 'jane.doe@acme-payments.com';
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const SENSITIVE = [CARD, CARD.replace(/ /g, ''), EMAIL, SECRET, 'Jane Doe'];

function tmp(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'gauntlet-mask-cli-'));
}

function capture(dir: string): string {
  const events = [
    { id: 'evt_Ab3dEf5GhIjKlMnOpQr1', type: 'payment.captured', data: { object: { id: 'pay_Zy9xWv8UtSrQpOnMlK7j', customer: { email: EMAIL, name: 'Jane Doe' }, metadata: { note: `card ${CARD}` } } } },
    { id: 'evt_Qw3eRt5YuIoP7aSdFg9h', type: 'refund.requested', data: { object: { id: 're_Lk8jHg6FdSa4PoIu2YtR', payment: 'pay_Zy9xWv8UtSrQpOnMlK7j', secret: SECRET } } },
  ];
  const f = path.join(dir, 'events.jsonl');
  writeFileSync(f, `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
  return f;
}

describe('gauntlet mask (black box)', () => {
  it('masks a JSONL capture into --out, prints counts but no value, and keeps relations between events', async () => {
    const dir = tmp();
    const f = capture(dir);
    const r = await runCli(['mask', f, '--out', path.join(dir, 'out')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/masked .*events\.jsonl \(jsonl\) → .*out\/events\.jsonl: .*\d+ card/);
    const out = readFileSync(path.join(dir, 'out', 'events.jsonl'), 'utf8');
    for (const v of SENSITIVE) {
      expect(out).not.toContain(v);
      expect(r.stdout + r.stderr).not.toContain(v);
    }
    const [a, b] = out.trim().split('\n').map((l) => JSON.parse(l));
    expect(b.data.object.payment).toBe(a.data.object.id);
    expect(a.data.object.id).toMatch(/^pay_[A-Za-z0-9]{20}$/);
    expect(a.data.object.customer.email).toMatch(/^[a-z]{4}\.[a-z]{3}@example\.test$/);
    expect(a.data.object.metadata.note).toMatch(/^card 4\d{3} \d{4} \d{4} \d{4}$/);
  });

  it('the same --key-file gives byte-identical output across invocations; --key and --key-file conflict', async () => {
    const dir = tmp();
    const f = capture(dir);
    const keyFile = path.join(dir, 'mask.key');
    writeFileSync(keyFile, 'a-long-enough-test-key-0123456789\n');
    expect((await runCli(['mask', f, '--key-file', keyFile, '--out', path.join(dir, 'a')])).code).toBe(0);
    expect((await runCli(['mask', f, '--key-file', keyFile, '--out', path.join(dir, 'b')])).code).toBe(0);
    expect(readFileSync(path.join(dir, 'a', 'events.jsonl'), 'utf8')).toBe(readFileSync(path.join(dir, 'b', 'events.jsonl'), 'utf8'));
    const both = await runCli(['mask', f, '--key', 'x'.repeat(20), '--key-file', keyFile]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('either --key or --key-file');
    const short = await runCli(['mask', f, '--key', 'short']);
    expect(short.code).toBe(2);
    expect(short.stderr).not.toContain('short"');
  });

  it('a broken file: exit 2 naming the file, line and column, no value shown, nothing written', async () => {
    const dir = tmp();
    const good = capture(dir);
    const bad = path.join(dir, 'broken.json');
    writeFileSync(bad, `{\n  "note": "card ${CARD}",\n  "secret": "${SECRET}",\n  "oops"\n}`);
    const r = await runCli(['mask', good, bad, '--out', path.join(dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('GAUNTLET_ERR_');
    expect(r.stderr).toContain(bad);
    expect(r.stderr).toMatch(/line 5 column 1/);
    for (const v of SENSITIVE) expect(r.stderr + r.stdout).not.toContain(v);
    expect(existsSync(path.join(dir, 'out'))).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(['broken.json', 'events.jsonl']);
  });

  it('--format must be json, jsonl or har; --help has examples', async () => {
    const r = await runCli(['mask', 'x.json', '--format', 'xml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--format must be one of json, jsonl, har/);
    const h = await runCli(['mask', '--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('Examples:');
    expect(h.stdout).toContain('--key-file');
  });
});
