/**
 * Regenerates docs/schemas/events/*.json from the event catalog (the catalog is the source
 * of truth; test/harness/data/event-catalog.test.ts fails when the files drift).
 * Usage: npx tsx harness/data/write-event-schemas.ts
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderEventSchemaFiles } from './event-catalog.js';

export const EVENT_SCHEMA_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'schemas', 'events');

export function writeEventSchemas(dir: string = EVENT_SCHEMA_DIR): string[] {
  mkdirSync(dir, { recursive: true });
  const files = renderEventSchemaFiles();
  // Stale files of types that left the catalog would mislead connector authors.
  for (const f of readdirSync(dir)) if (f.endsWith('.json') && !files.has(f)) rmSync(join(dir, f));
  for (const [name, content] of files) writeFileSync(join(dir, name), content);
  return [...files.keys()];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const written = writeEventSchemas();
  console.log(`[gauntlet] wrote ${written.length} event schemas to ${EVENT_SCHEMA_DIR}`);
}
