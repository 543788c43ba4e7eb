import fc from 'fast-check';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { EMPTY_LOG_TAIL, LogCapture, StreamCapture } from '../../../harness/driver/log-capture.js';

function feed(capture: StreamCapture, input: Buffer, cuts: number[]): void {
  let from = 0;
  for (const cut of [...new Set(cuts)].sort((a, b) => a - b)) {
    if (cut <= from || cut >= input.length) continue;
    capture.push(input.subarray(from, cut));
    from = cut;
  }
  capture.push(input.subarray(from));
}

/** Text over a small alphabet with newlines and a multi-byte character, so lines, cuts and UTF-8 all get exercised. */
const textArb = fc.array(fc.constantFrom('a', 'b', 'c', '\n', '\n', 'é', 'xyz'), { maxLength: 400 }).map((parts) => parts.join(''));

describe('StreamCapture', () => {
  it('keeps small output whole', () => {
    const c = new StreamCapture();
    c.push(Buffer.from('one\ntwo\nthr'));
    c.push(Buffer.from('ee\nfour'));
    expect(c.text()).toBe('one\ntwo\nthree\nfour');
    expect(c.tail(2)).toEqual(['three', 'four']);
    expect(c.tail()).toEqual(['one', 'two', 'three', 'four']);
    expect(c.truncatedBytes()).toBe(0);
  });

  it('keeps the first bytes and the last lines of a flood, and counts the rest', () => {
    const c = new StreamCapture({ capBytes: 1000, maxTailLines: 10 });
    const lines = Array.from({ length: 500 }, (_, i) => `line ${i}`);
    c.push(Buffer.from(lines.join('\n') + '\n'));
    const text = c.text();
    expect(text.startsWith('line 0\nline 1\n')).toBe(true);
    expect(text).toMatch(/\[… \d+ bytes truncated …\]/);
    expect(c.tail(3)).toEqual(['line 497', 'line 498', 'line 499']);
    expect(c.truncatedBytes()).toBeGreaterThan(0);
    expect(c.keptBytes()).toBeLessThanOrEqual(1000);
  });

  it('cuts long lines, says so, and counts the cut bytes as truncated', () => {
    const c = new StreamCapture({ capBytes: 200, maxLineBytes: 10 });
    c.push(Buffer.from('short\n'));
    c.push(Buffer.alloc(5000, 'L'));
    c.push(Buffer.from('\nafter\n'));
    expect(c.tail(3)).toEqual(['short', 'LLLLLLLLLL… [4990 bytes cut]', 'after']);
    expect(c.truncatedBytes()).toBeGreaterThanOrEqual(4990 - 100);
    expect(c.keptBytes()).toBeLessThanOrEqual(200 + 10);
  });

  it('gives the same result however the output is split into chunks', () => {
    fc.assert(
      fc.property(textArb, fc.array(fc.nat({ max: 1200 }), { maxLength: 30 }), (text, cuts) => {
        const input = Buffer.from(text);
        const opts = { capBytes: 64, maxLineBytes: 10, maxTailLines: 5 };
        const whole = new StreamCapture(opts);
        whole.push(input);
        const split = new StreamCapture(opts);
        feed(split, input, cuts);
        expect(split.text()).toBe(whole.text());
        expect(split.tail(50)).toEqual(whole.tail(50));
        expect(split.truncatedBytes()).toBe(whole.truncatedBytes());
        expect(split.keptBytes()).toBe(whole.keptBytes());
      }),
    );
  });

  it('never keeps more than the cap plus one pending line, and never loses count', () => {
    fc.assert(
      fc.property(textArb, fc.array(fc.nat({ max: 1200 }), { maxLength: 30 }), fc.integer({ min: 2, max: 300 }), (text, cuts, cap) => {
        const c = new StreamCapture({ capBytes: cap, maxLineBytes: 16, maxTailLines: 8 });
        const input = Buffer.from(text);
        feed(c, input, cuts);
        expect(c.keptBytes()).toBeLessThanOrEqual(cap + 16);
        expect(c.totalBytes()).toBe(input.length);
        expect(c.truncatedBytes()).toBeGreaterThanOrEqual(0);
        expect(c.truncatedBytes()).toBeLessThanOrEqual(input.length);
        if (input.length <= Math.floor(cap / 2)) {
          expect(c.text()).toBe(input.toString('utf8'));
          expect(c.truncatedBytes()).toBe(0);
        }
      }),
    );
  });

  it('returns exactly the last lines while nothing had to be dropped', () => {
    const lineArb = fc.stringMatching(/^[a-z0-9 ]{0,12}$/);
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: 20 }), fc.boolean(), fc.nat({ max: 25 }), (lines, endsWithNewline, n) => {
        const text = lines.join('\n') + (endsWithNewline && lines.length > 0 ? '\n' : '');
        const c = new StreamCapture({ capBytes: 4096, maxLineBytes: 64, maxTailLines: 100 });
        c.push(Buffer.from(text));
        const model = text.split('\n');
        if (model[model.length - 1] === '') model.pop();
        expect(c.tail(n)).toEqual(model.slice(Math.max(0, model.length - n)));
      }),
    );
  });
});

describe('LogCapture', () => {
  it('drains attached streams into per-stream captures and sums truncation', async () => {
    const logs = new LogCapture({ capBytes: 100 });
    const out = new PassThrough();
    const err = new PassThrough();
    logs.attach('stdout', out);
    logs.attach('stderr', err);
    out.end('hello\nworld\n');
    err.end('x'.repeat(1000) + '\n');
    await new Promise((r) => setImmediate(r));
    expect(logs.stdoutTail()).toEqual(['hello', 'world']);
    expect(logs.text('stdout')).toBe('hello\nworld\n');
    expect(logs.truncatedBytes()).toBe(logs.stderr.truncatedBytes());
    expect(logs.truncatedBytes()).toBeGreaterThan(800);
  });

  it('an external connector has empty logs', () => {
    expect(EMPTY_LOG_TAIL.stdoutTail()).toEqual([]);
    expect(EMPTY_LOG_TAIL.text('stderr')).toBe('');
    expect(EMPTY_LOG_TAIL.truncatedBytes()).toBe(0);
  });
});
