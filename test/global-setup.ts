import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Black-box CLI tests run the real bin, which runs dist/: build it once, fresh. */
export default function setup(): void {
  const root = fileURLToPath(new URL('../', import.meta.url));
  execFileSync(process.execPath, [fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url)), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
}
