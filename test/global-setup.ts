import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Black-box CLI tests run the real bin, which runs dist/: build it once, fresh.
 * GAUNTLET_SKIP_BUILD=1 skips it for local runs of unit tests that never touch dist/.
 */
export default function setup(): void {
  if (process.env.GAUNTLET_SKIP_BUILD === '1') return;
  const root = fileURLToPath(new URL('../', import.meta.url));
  execFileSync(process.execPath, [fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url)), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
}
