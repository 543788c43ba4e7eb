// Minimal types for tar-fs 2 (a dependency of testcontainers; it ships none).
declare module 'tar-fs' {
  import type { Readable } from 'node:stream';
  export function pack(cwd: string, opts?: { ignore?: (name: string) => boolean; entries?: string[] }): Readable;
}
