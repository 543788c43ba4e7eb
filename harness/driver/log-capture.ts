import type { Readable } from 'node:stream';
import type { LogTail } from './types.js';

/** Per stream: a connector can print without limit, the harness keeps at most this much. */
export const DEFAULT_LOG_CAP_BYTES = 1024 * 1024;
export const DEFAULT_MAX_LINE_BYTES = 4096;
export const DEFAULT_MAX_TAIL_LINES = 1000;
/** What `stdoutTail()` returns without an argument: enough for an error message. */
export const DEFAULT_TAIL_LINES = 20;

export interface StreamCaptureOptions {
  /** Total bytes kept: half for the first bytes, half for the last lines. */
  capBytes?: number;
  /** Longer lines are cut; the cut bytes count as truncated. */
  maxLineBytes?: number;
  maxTailLines?: number;
}

interface TailLine {
  /** Offset of the line's first byte in the stream. */
  start: number;
  /** At most maxLineBytes of the line, without the newline. */
  kept: Buffer;
  /** Length of the whole line without the newline. */
  length: number;
  terminated: boolean;
}

/**
 * Capture of one output stream that keeps the first bytes and the last lines
 * and counts everything in between as truncated. Memory stays below the cap
 * whatever the connector prints, and `push` is cheap enough to keep the pipe
 * drained (a child blocked on a full pipe would stall the run): a chunk with
 * more lines than the tail keeps is scanned from its end only.
 */
export class StreamCapture {
  private readonly headCap: number;
  private readonly tailCap: number;
  private readonly maxLine: number;
  private readonly maxLines: number;

  private total = 0;
  private readonly head: Buffer[] = [];
  private headLen = 0;

  private ring: TailLine[] = [];
  private ringStart = 0;
  private ringBytes = 0;

  private partial: Buffer[] = [];
  private partialKept = 0;
  private partialLength = 0;
  private partialStart = 0;

  constructor(options: StreamCaptureOptions = {}) {
    const cap = Math.max(2, Math.floor(options.capBytes ?? DEFAULT_LOG_CAP_BYTES));
    this.headCap = Math.floor(cap / 2);
    this.tailCap = cap - this.headCap;
    this.maxLine = Math.max(1, Math.min(options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES, this.tailCap));
    this.maxLines = Math.max(1, options.maxTailLines ?? DEFAULT_MAX_TAIL_LINES);
  }

  /** Bytes seen so far, kept or not. */
  totalBytes(): number {
    return this.total;
  }

  /** Bytes held in memory now (head, tail lines, pending line); bounded by the cap plus one line. */
  keptBytes(): number {
    return this.headLen + this.ringBytes + this.partialKept;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    const base = this.total;
    this.total += chunk.length;
    if (this.headLen < this.headCap) {
      const take = Math.min(chunk.length, this.headCap - this.headLen);
      this.head.push(Buffer.from(chunk.subarray(0, take)));
      this.headLen += take;
    }

    const lastNl = chunk.lastIndexOf(10);
    if (lastNl === -1) {
      this.extendPartial(chunk, base);
      return;
    }
    // Complete lines of this chunk, newest first, never more than the tail keeps.
    const found: TailLine[] = [];
    let end = lastNl;
    let reachedChunkStart = false;
    while (found.length < this.maxLines) {
      const prevNl = end === 0 ? -1 : chunk.lastIndexOf(10, end - 1);
      if (prevNl === -1) {
        reachedChunkStart = true;
        break;
      }
      found.push(this.line(chunk.subarray(prevNl + 1, end), base + prevNl + 1, end - prevNl - 1));
      end = prevNl;
    }
    if (reachedChunkStart) {
      // The chunk's first line completes the line pending from earlier chunks.
      this.extendPartial(chunk.subarray(0, end), base);
      found.push({ start: this.partialStart, kept: Buffer.concat(this.partial), length: this.partialLength, terminated: true });
    }
    // Otherwise this chunk alone fills the tail, and appending evicts every older line.
    this.resetPartial();
    for (let i = found.length - 1; i >= 0; i--) this.append(found[i] as TailLine);
    this.extendPartial(chunk.subarray(lastNl + 1), base + lastNl + 1);
  }

  /** Last `n` lines (the unterminated last line included), long lines cut with a marker. */
  tail(n = DEFAULT_TAIL_LINES): string[] {
    const lines = this.lines();
    return lines.slice(Math.max(0, lines.length - Math.max(0, n))).map((l) => renderLine(l, 0));
  }

  /** First bytes, then a marker for the dropped middle, then the last lines. */
  text(): string {
    let out = Buffer.concat(this.head).toString('utf8');
    let cursor = this.headLen;
    for (const l of this.lines()) {
      if (l.start + l.length + (l.terminated ? 1 : 0) <= this.headLen) continue;
      if (l.start > cursor) out += `\n[… ${l.start - cursor} bytes truncated …]\n`;
      const skip = Math.max(0, this.headLen - l.start);
      out += renderLine(l, skip) + (l.terminated ? '\n' : '');
      cursor = l.start + l.length + (l.terminated ? 1 : 0);
    }
    if (this.total > cursor) out += `\n[… ${this.total - cursor} bytes truncated …]\n`;
    return out;
  }

  /** Bytes that `text()` does not show (dropped middle and cut line ends). */
  truncatedBytes(): number {
    let shown = this.headLen;
    for (const l of this.lines()) {
      const from = Math.max(l.start, this.headLen);
      shown += Math.max(0, l.start + l.kept.length - from);
      if (l.terminated && l.start + l.length >= this.headLen) shown += 1;
    }
    return this.total - shown;
  }

  private lines(): TailLine[] {
    const lines = this.ring.slice(this.ringStart);
    if (this.partialLength > 0) {
      lines.push({ start: this.partialStart, kept: Buffer.concat(this.partial), length: this.partialLength, terminated: false });
    }
    return lines;
  }

  private line(bytes: Buffer, start: number, length: number): TailLine {
    return { start, kept: Buffer.from(bytes.subarray(0, this.maxLine)), length, terminated: true };
  }

  private append(line: TailLine): void {
    this.ring.push(line);
    this.ringBytes += line.kept.length + 1;
    while (this.ring.length - this.ringStart > this.maxLines || (this.ringBytes > this.tailCap && this.ring.length - this.ringStart > 1)) {
      const old = this.ring[this.ringStart++] as TailLine;
      this.ringBytes -= old.kept.length + 1;
    }
    // Compact now and then instead of shifting per line (shift is O(n)).
    if (this.ringStart > this.maxLines) {
      this.ring = this.ring.slice(this.ringStart);
      this.ringStart = 0;
    }
  }

  private extendPartial(bytes: Buffer, start: number): void {
    if (this.partialLength === 0) this.partialStart = start;
    const keep = Math.min(bytes.length, this.maxLine - this.partialKept);
    if (keep > 0) {
      this.partial.push(Buffer.from(bytes.subarray(0, keep)));
      this.partialKept += keep;
    }
    this.partialLength += bytes.length;
  }

  private resetPartial(): void {
    this.partial = [];
    this.partialKept = 0;
    this.partialLength = 0;
  }
}

function renderLine(l: TailLine, skip: number): string {
  let s = l.kept.subarray(Math.min(skip, l.kept.length)).toString('utf8');
  if (s.endsWith('\r')) s = s.slice(0, -1);
  const cut = l.length - Math.max(skip, l.kept.length);
  return cut > 0 ? `${s}… [${cut} bytes cut]` : s;
}

/** stdout + stderr of one connector process. */
export class LogCapture implements LogTail {
  readonly stdout: StreamCapture;
  readonly stderr: StreamCapture;

  constructor(options: StreamCaptureOptions = {}) {
    this.stdout = new StreamCapture(options);
    this.stderr = new StreamCapture(options);
  }

  /** Drain `stream` into the capture for `which`; the stream is always read, never paused. */
  attach(which: 'stdout' | 'stderr', stream: Readable | null): void {
    if (!stream) return;
    const capture = this[which];
    stream.on('data', (chunk: Buffer | string) => capture.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
    // A pipe error (EPIPE, EIO) must not become an uncaught exception in the harness.
    stream.on('error', () => undefined);
  }

  stdoutTail(lines?: number): string[] {
    return this.stdout.tail(lines);
  }

  stderrTail(lines?: number): string[] {
    return this.stderr.tail(lines);
  }

  text(stream: 'stdout' | 'stderr'): string {
    return this[stream].text();
  }

  truncatedBytes(): number {
    return this.stdout.truncatedBytes() + this.stderr.truncatedBytes();
  }
}

/** The logs of a connector the harness did not start (run.url): nothing captured. */
export const EMPTY_LOG_TAIL: LogTail = Object.freeze({
  stdoutTail: () => [],
  stderrTail: () => [],
  text: () => '',
  truncatedBytes: () => 0,
});
