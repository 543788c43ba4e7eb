import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GauntletError } from '../../../harness/errors.js';
import { detectFormat, maskDocument, MaskInputProblem } from '../../../harness/mask/formats.js';
import { maskFiles, readKeyFile } from '../../../harness/mask/mask-files.js';
import { Masker } from '../../../harness/mask/masker.js';
import { emailArb, plantedDocArb, secretArb, cardTextArb } from './arbitraries.js';

const RUNS = Number(process.env.MASK_PROPERTY_RUNS ?? 60);

function tmp(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'gauntlet-mask-'));
}

type Shape = string | Shape[] | { keys: number; values: Shape[] };
function shape(v: unknown): Shape {
  if (Array.isArray(v)) return v.map(shape);
  if (v !== null && typeof v === 'object') return { keys: Object.keys(v).length, values: Object.values(v).map(shape) };
  return v === null ? 'null' : typeof v;
}

function har(entries: unknown[]): unknown {
  return { log: { version: '1.2', creator: { name: 'Firefox', version: '128.0' }, entries } };
}

function harEntry(p: { body: unknown; auth: string; email: string; card: string; secret: string; base64Body: boolean }): unknown {
  const requestText = JSON.stringify(p.body);
  const responseText = JSON.stringify({ ok: true, webhook_secret: p.secret, echo: p.body });
  return {
    startedDateTime: '2026-01-01T00:00:00.000Z',
    time: 12,
    request: {
      method: 'POST',
      url: `https://api.acme.test/v1/customers/cus_Ab12Cd34Ef56Gh78?email=${encodeURIComponent(p.email)}&note=${encodeURIComponent(`card ${p.card}`)}`,
      httpVersion: 'HTTP/1.1',
      headers: [
        { name: 'Authorization', value: p.auth },
        { name: 'Content-Type', value: 'application/json' },
        { name: 'Cookie', value: 'session=s3cr3tSessionValue123' },
      ],
      queryString: [
        { name: 'email', value: p.email },
        { name: 'note', value: `card ${p.card}` },
      ],
      cookies: [{ name: 'session', value: 's3cr3tSessionValue123' }],
      headersSize: -1,
      bodySize: requestText.length,
      postData: { mimeType: 'application/json', text: requestText },
    },
    response: {
      status: 200,
      statusText: 'OK',
      httpVersion: 'HTTP/1.1',
      headers: [{ name: 'Set-Cookie', value: 'session=s3cr3tSessionValue123; HttpOnly' }],
      cookies: [],
      content: p.base64Body
        ? { size: responseText.length, mimeType: 'application/json', encoding: 'base64', text: Buffer.from(responseText).toString('base64') }
        : { size: responseText.length, mimeType: 'application/json', text: responseText },
      redirectURL: '',
      headersSize: -1,
      bodySize: -1,
    },
    cache: {},
    timings: { send: 1, wait: 10, receive: 1 },
  };
}

describe('HAR round trip', () => {
  it('bodies, headers, query strings and URLs are masked; the HAR and its JSON bodies keep their structure', () => {
    fc.assert(
      fc.property(plantedDocArb, emailArb, cardTextArb, secretArb, fc.boolean(), ({ doc, plants }, email, card, secret, base64Body) => {
        const auth = `Bearer ${Buffer.from(secret).toString('base64url')}`;
        const input = har([harEntry({ body: doc, auth, email, card, secret, base64Body })]);
        const text = JSON.stringify(input, null, 2);
        expect(detectFormat('capture.har', text)).toBe('har');
        const out = maskDocument(text, 'har', new Masker({ key: randomBytes(32) }));
        const parsed = JSON.parse(out);
        expect(shape(parsed)).toEqual(shape(input));
        // Structure HAR readers rely on is untouched.
        const e = parsed.log.entries[0];
        expect(parsed.log.creator).toEqual({ name: 'Firefox', version: '128.0' });
        expect(e.request.headers.map((h: { name: string }) => h.name)).toEqual(['Authorization', 'Content-Type', 'Cookie']);
        expect(e.request.headers[1].value).toBe('application/json');
        expect(e.request.headers[0].value).toMatch(/^Bearer /);
        expect(new URL(e.request.url).pathname).toMatch(/^\/v1\/customers\/cus_[A-Za-z0-9]{16}$/);
        // Bodies stay JSON of the same shape.
        expect(shape(JSON.parse(e.request.postData.text))).toEqual(shape(doc));
        const respText = base64Body ? Buffer.from(e.response.content.text, 'base64').toString('utf8') : e.response.content.text;
        expect(shape(JSON.parse(respText))).toEqual(shape(JSON.parse(base64Body ? Buffer.from((input as any).log.entries[0].response.content.text, 'base64').toString() : (input as any).log.entries[0].response.content.text)));
        if (!base64Body) expect(e.response.content.size).toBe(Buffer.byteLength(e.response.content.text));
        // Nothing sensitive survives, in any of the places it was put, raw or as the URL carried it.
        const decodedEverywhere = `${out}\n${respText}\n${decodeURIComponent(e.request.url)}`;
        for (const v of [...plants.map((p) => p.value), email, card, secret, auth, 's3cr3tSessionValue123', encodeURIComponent(email)]) {
          expect(decodedEverywhere.includes(v), `survived: ${v.slice(0, 3)}…`).toBe(false);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('a binary base64 body is left as it is; a form body is masked by field', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe, 0x00, 0x01]).toString('base64');
    const input = har([
      {
        request: { method: 'POST', url: 'https://a.test/login', headers: [], queryString: [], postData: { mimeType: 'application/x-www-form-urlencoded', text: 'username=jane%40acme.com&password=hunter2hunter2&remember=1' } },
        response: { status: 200, headers: [], content: { size: 8, mimeType: 'image/png', encoding: 'base64', text: png } },
      },
    ]);
    const out = JSON.parse(maskDocument(JSON.stringify(input), 'har', new Masker({ key: randomBytes(32) })));
    const form = new URLSearchParams(out.log.entries[0].request.postData.text);
    expect(form.get('username')).toMatch(/@example\.test$/);
    expect(form.get('password')).not.toBe('hunter2hunter2');
    expect(form.get('password')).toHaveLength('hunter2hunter2'.length);
    expect(form.get('remember')).toBe('1');
    expect(out.log.entries[0].response.content.text).toBe(png);
  });

  it('a JSON file that is not a HAR is refused as HAR, naming what is missing', () => {
    expect(() => maskDocument('{"log": {}}', 'har', new Masker({ key: randomBytes(16) }))).toThrow(MaskInputProblem);
  });
});

describe('JSONL round trip', () => {
  it('line by line: same line count, same shapes, and an id shared by two events masks the same in both', () => {
    fc.assert(
      fc.property(fc.array(plantedDocArb, { minLength: 1, maxLength: 6 }), fc.constantFrom('\n', '\r\n'), (docs, eol) => {
        const shared = 'pay_Zy9xWv8UtSrQpOnMlK7j';
        const lines = docs.map((d, i) => JSON.stringify({ seq: i, payment: shared, doc: d.doc }));
        const text = `${lines.join(eol)}${eol}`;
        const out = maskDocument(text, 'jsonl', new Masker({ key: randomBytes(32) }));
        const outLines = out.split(eol);
        expect(outLines).toHaveLength(lines.length + 1);
        expect(outLines.at(-1)).toBe('');
        const parsed = outLines.slice(0, -1).map((l) => JSON.parse(l));
        parsed.forEach((p, i) => expect(shape(p)).toEqual(shape(JSON.parse(lines[i]!))));
        expect(new Set(parsed.map((p) => p.payment)).size).toBe(1);
        expect(parsed[0].payment).not.toBe(shared);
        expect(parsed[0].payment).toMatch(/^pay_[A-Za-z0-9]{20}$/);
        for (const d of docs) for (const p of d.plants) expect(out.includes(p.value)).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it('a bad line is named by line and column, never by its text', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const text = `{"ok": 1}\n\n{"card": "4242 4242 4242 4242", "s": "${secret}" oops}\n`;
    try {
      maskDocument(text, 'jsonl', new Masker({ key: randomBytes(16) }));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(MaskInputProblem);
      const msg = (e as Error).message;
      expect(msg).toMatch(/^line 3 column \d+: invalid JSON$/);
      expect(msg).not.toContain('4242');
      expect(msg).not.toContain(secret);
    }
  });
});

describe('maskFiles', () => {
  it('writes every output only when every input parsed: a bad file leaves nothing behind', async () => {
    const dir = tmp();
    const good = path.join(dir, 'good.json');
    const bad = path.join(dir, 'bad.json');
    writeFileSync(good, JSON.stringify({ email: 'jane@acme.com' }));
    writeFileSync(bad, '{\n  "card": "4111 1111 1111 1111",\n  "x": tru\n}');
    const out = path.join(dir, 'out');
    const err = await maskFiles({ files: [good, bad], outDir: out }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GauntletError);
    const g = err as GauntletError;
    expect(g.exitCode).toBe(2);
    expect(g.message).toContain(bad);
    expect(g.message).toMatch(/line 3 column \d+/);
    expect(g.format()).not.toContain('4111');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(['bad.json', 'good.json']);
  });

  it('masks next to the input by default, with the same key deterministically, and refuses to overwrite the input', async () => {
    const dir = tmp();
    const f = path.join(dir, 'events.jsonl');
    writeFileSync(f, `${JSON.stringify({ id: 'evt_Ab3dEf5GhIjKlMnOpQr1', email: 'jane@acme.com' })}\n`);
    const keyFile = path.join(dir, 'mask.key');
    writeFileSync(keyFile, `${randomBytes(24).toString('hex')}\n`);
    const key = await readKeyFile(keyFile);
    const [r1] = await maskFiles({ files: [f], key });
    expect(r1!.output).toBe(path.join(dir, 'events.masked.jsonl'));
    expect(r1!.format).toBe('jsonl');
    expect(r1!.counts).toEqual({ id: 1, email: 1 });
    const first = readFileSync(r1!.output, 'utf8');
    await maskFiles({ files: [f], key, outDir: path.join(dir, 'again') });
    expect(readFileSync(path.join(dir, 'again', 'events.jsonl'), 'utf8')).toBe(first);
    expect(first).not.toContain('jane@acme.com');
    await expect(maskFiles({ files: [f], outDir: dir })).rejects.toThrow(/overwrite the input/);
    writeFileSync(path.join(dir, 'short.key'), 'abc');
    await expect(readKeyFile(path.join(dir, 'short.key'))).rejects.toThrow(/at least 16 bytes \(got 3\)/);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses non-UTF-8 input naming the offset, and documents nested past the depth limit by pointer', async () => {
    const dir = tmp();
    const f = path.join(dir, 'bin.json');
    writeFileSync(f, Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0xff, 0x7d]));
    await expect(maskFiles({ files: [f] })).rejects.toThrow(/not UTF-8 text \(first bad byte near offset 5\)/);
    const deep = path.join(dir, 'deep.json');
    writeFileSync(deep, `${'['.repeat(1_100)}${']'.repeat(1_100)}`);
    await expect(maskFiles({ files: [deep] })).rejects.toThrow(/nesting deeper than 1000 levels/);
  });
});

describe('JSON edge cases', () => {
  it('a __proto__ key stays an own key, in place, and nothing reaches Object.prototype', () => {
    const text = '{"a":1,"__proto__":{"polluted":"jane@acme.com"},"b":[{"__proto__":null}]}';
    const out = maskDocument(text, 'json', new Masker({ key: randomBytes(16) }));
    const parsed = JSON.parse(out);
    expect(Object.keys(parsed)).toEqual(['a', '__proto__', 'b']);
    expect(Object.hasOwn(parsed, '__proto__')).toBe(true);
    expect(out).toContain('"__proto__":{"polluted":"');
    expect(out).not.toContain('jane@acme.com');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('an indented document keeps its indent unit and trailing newline; a compact one stays compact', () => {
    const m = new Masker({ key: randomBytes(16) });
    expect(maskDocument('{\n    "a": [1, 2]\n}\n', 'json', m)).toBe('{\n    "a": [\n        1,\n        2\n    ]\n}\n');
    expect(maskDocument('{"a":[1,2]}', 'json', m)).toBe('{"a":[1,2]}');
    expect(maskDocument('\uFEFF{"a":1}', 'json', m)).toBe('\uFEFF{"a":1}');
  });
});
