// Offline preparation for `docker build`: copies the packages listed in package-lock.json
// from the nearest node_modules up the tree (e.g. the Gauntlet repo's own install) into
// vendor/node_modules, checking each version against the lockfile.
// Usage: node vendor-deps.mjs
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const lock = JSON.parse(readFileSync(path.join(here, 'package-lock.json'), 'utf8'));
const target = path.join(here, 'vendor', 'node_modules');

function findInstalled(rel) {
  for (let dir = here; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, rel);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

rmSync(path.join(here, 'vendor'), { recursive: true, force: true });
mkdirSync(target, { recursive: true });
let problems = 0;
for (const [rel, meta] of Object.entries(lock.packages)) {
  if (!rel.startsWith('node_modules/') || meta.dev) continue;
  const source = findInstalled(rel);
  if (!source) {
    console.error(`missing: ${rel} (run npm ci somewhere above this folder first)`);
    problems += 1;
    continue;
  }
  const installed = JSON.parse(readFileSync(path.join(source, 'package.json'), 'utf8')).version;
  if (installed !== meta.version) {
    console.error(`version mismatch: ${rel} is ${installed}, lockfile wants ${meta.version}`);
    problems += 1;
  }
  cpSync(source, path.join(here, 'vendor', rel), { recursive: true, dereference: true });
}
console.log(problems ? `vendored with ${problems} problem(s)` : `vendored into ${path.relative(process.cwd(), target) || target}`);
process.exit(problems ? 1 : 0);
