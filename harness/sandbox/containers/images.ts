/**
 * Image names (configurable, since CI has no registry and builds local images) and
 * image builds. Builds go straight to the engine so a failed build reports the engine's
 * own error line instead of "image not found" afterwards.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type Dockerode from 'dockerode';
import { createRequire } from 'node:module';
import type { Ignore } from '@balena/dockerignore';
import { pack } from 'tar-fs';
import { GauntletError } from '../../errors.js';
import { LABEL_ROLE } from './labels.js';

export const IMAGE_ENV = {
  sandboxBase: 'GAUNTLET_SANDBOX_BASE_IMAGE',
  postgres: 'GAUNTLET_IMAGE_POSTGRES',
  redis: 'GAUNTLET_IMAGE_REDIS',
} as const;

export const DEFAULT_IMAGES = {
  /** No npm inside: the harness and its node_modules are copied in. */
  sandboxBase: 'gauntlet-base/node:20',
  postgres: 'postgres:16-alpine',
  redis: 'redis:7-alpine',
} as const;

export type ImageKey = keyof typeof DEFAULT_IMAGES;

export function imageFor(key: ImageKey, env: NodeJS.ProcessEnv = process.env): string {
  const v = env[IMAGE_ENV[key]]?.trim();
  return v ? v : DEFAULT_IMAGES[key];
}

const BUILD_TIMEOUT_MS = 10 * 60_000;

/** Builds `context` (honouring its .dockerignore) as `tag`; throws the engine's error. */
export async function buildImage(
  docker: Dockerode,
  opts: { context: string; dockerfile: string; tag: string; buildArgs?: Record<string, string>; labels: Record<string, string>; signal?: AbortSignal },
): Promise<void> {
  const ignoreFile = path.join(opts.context, '.dockerignore');
  let ignore: ((name: string) => boolean) | undefined;
  if (existsSync(ignoreFile)) {
    const dockerignore = createRequire(import.meta.url)('@balena/dockerignore') as (o: { ignorecase: boolean }) => Ignore;
    const rules = dockerignore({ ignorecase: false }).add(readFileSync(ignoreFile, 'utf8'));
    const keep = new Set([opts.dockerfile, '.dockerignore']);
    ignore = (name) => {
      const rel = path.relative(opts.context, name).split(path.sep).join('/');
      return !keep.has(rel) && rules.ignores(rel);
    };
  }
  const startedSec = Math.floor(Date.now() / 1000) - 1;
  const tar = pack(opts.context, ignore ? { ignore } : {});
  const stream = await docker.buildImage(tar, { t: opts.tag, dockerfile: opts.dockerfile, buildargs: opts.buildArgs ?? {}, labels: opts.labels, rm: true, forcerm: true, version: '1' } as Dockerode.ImageBuildOptions);
  const lines: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      (stream as unknown as { destroy?: () => void }).destroy?.();
      reject(new GauntletError('GAUNTLET_ERR_SANDBOX_START', `docker build of ${opts.tag} took over ${BUILD_TIMEOUT_MS / 1000} s`));
    }, BUILD_TIMEOUT_MS);
    const onAbort = () => (stream as unknown as { destroy?: () => void }).destroy?.();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    docker.modem.followProgress(
      stream,
      (err, output: Array<{ error?: string; stream?: string }>) => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        const failed = err ?? output?.find((o) => o.error)?.error;
        if (failed) {
          const tail = lines.slice(-15).join('').trim();
          reject(new GauntletError('GAUNTLET_ERR_SANDBOX_START', `docker build of ${opts.tag} (${path.join(opts.context, opts.dockerfile)}) failed: ${String(failed instanceof Error ? failed.message : failed).trim()}${tail ? `\n${tail}` : ''}`));
        } else void removeStageLeftovers(docker, startedSec).then(() => resolve());
      },
      (ev: { stream?: string }) => {
        if (ev.stream && lines.length < 500) lines.push(ev.stream);
      },
    );
  });
}

/**
 * The classic builder leaves the last image of each earlier stage of a multi-stage build
 * untagged and unlabelled (labels go to the final image only). Those appear in
 * `docker images` as <none>; remove the ones created since this build started.
 */
async function removeStageLeftovers(docker: Dockerode, sinceSec: number): Promise<void> {
  const dangling = await docker.listImages({ filters: { dangling: ['true'] } }).catch(() => []);
  await Promise.allSettled(dangling.filter((i) => i.Created >= sinceSec).map((i) => docker.getImage(i.Id).remove({ force: false })));
}

// ---- the sandbox services image -------------------------------------------------------

/** Repository root (this file is dist/harness/sandbox/containers/images.js or its .ts source). */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'docker', 'sandbox.Dockerfile'))) return dir;
    dir = path.dirname(dir);
  }
  throw new GauntletError('GAUNTLET_ERR_INTERNAL', 'cannot find the Gauntlet package root (docker/sandbox.Dockerfile)');
}

const ENTRY = 'dist/harness/sandbox/serve-sandbox.js';

/** Files of dist/ reachable from the entry and the packages they import (bare specifiers). */
export function sandboxImageInputs(root: string): { files: string[]; packages: string[] } {
  const entry = path.join(root, ENTRY);
  if (!existsSync(entry)) throw new GauntletError('GAUNTLET_ERR_INTERNAL', `${ENTRY} is missing: run \`npm run build\` first`);
  const files = new Set<string>();
  const bare = new Set<string>();
  const queue = [entry];
  const spec = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g;
  while (queue.length && files.size < 5_000) {
    const f = queue.pop()!;
    if (files.has(f)) continue;
    files.add(f);
    for (const m of readFileSync(f, 'utf8').matchAll(spec)) {
      const s = m[1]!;
      if (s.startsWith('.')) {
        const target = path.resolve(path.dirname(f), s);
        if (existsSync(target)) queue.push(target);
      } else if (!s.startsWith('node:')) {
        const parts = s.split('/');
        bare.add(s.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!);
      }
    }
  }
  // Packages and their runtime dependencies, as installed (npm hoists to the root).
  const packages = new Set<string>();
  const pending = [...bare];
  while (pending.length) {
    const name = pending.pop()!;
    if (packages.has(name)) continue;
    const pj = path.join(root, 'node_modules', name, 'package.json');
    if (!existsSync(pj)) continue; // optional dependency not installed, or a node builtin without prefix
    packages.add(name);
    const meta = JSON.parse(readFileSync(pj, 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    pending.push(...Object.keys(meta.dependencies ?? {}), ...Object.keys(meta.optionalDependencies ?? {}));
  }
  return { files: [...files].map((f) => path.relative(root, f)).sort(), packages: [...packages].sort() };
}

/** Content hash of what goes into the image: a changed harness gets a new tag. */
export function sandboxImageTag(root: string, base: string, inputs = sandboxImageInputs(root)): string {
  const h = createHash('sha256');
  h.update(base).update('\0').update(readFileSync(path.join(root, 'docker', 'sandbox.Dockerfile')));
  for (const f of inputs.files) h.update(f).update('\0').update(readFileSync(path.join(root, f)));
  for (const p of inputs.packages) {
    const pj = readFileSync(path.join(root, 'node_modules', p, 'package.json'), 'utf8');
    h.update(p).update('\0').update((JSON.parse(pj) as { version?: string }).version ?? '?');
  }
  return `gauntlet-sandbox:${h.digest('hex').slice(0, 16)}`;
}

/**
 * The sandbox services image for this harness build: reused when its content tag exists
 * (a build per run would dominate time-to-ready), otherwise built from a staging folder
 * holding only what the services need. It is the harness's image, not a run's: labelled
 * `gauntlet.role=sandbox-image`, older tags removed by `pruneSandboxImages`.
 */
export async function ensureSandboxImage(docker: Dockerode, opts: { base?: string; signal?: AbortSignal } = {}): Promise<{ tag: string; built: boolean }> {
  const root = repoRoot();
  const base = opts.base ?? imageFor('sandboxBase');
  const inputs = sandboxImageInputs(root);
  const tag = sandboxImageTag(root, base, inputs);
  const exists = await docker.getImage(tag).inspect().then(
    () => true,
    () => false,
  );
  if (exists) return { tag, built: false };
  const baseExists = await docker.getImage(base).inspect().then(
    () => true,
    () => false,
  );
  if (!baseExists) {
    throw new GauntletError('GAUNTLET_ERR_SANDBOX_START', `base image ${base} for the sandbox services is not present locally (set ${IMAGE_ENV.sandboxBase}, or build it: sudo .ci/docker-engine.sh)`);
  }
  const stage = mkdtempSync(path.join(os.tmpdir(), 'gauntlet-sandbox-image-'));
  try {
    cpSync(path.join(root, 'docker', 'sandbox.Dockerfile'), path.join(stage, 'Dockerfile'));
    writeFileSync(path.join(stage, 'package.json'), JSON.stringify({ name: 'gauntlet-sandbox', private: true, type: 'module' }));
    for (const f of inputs.files) cpSync(path.join(root, f), path.join(stage, f), { recursive: true });
    for (const p of inputs.packages) cpSync(path.join(root, 'node_modules', p), path.join(stage, 'node_modules', p), { recursive: true, dereference: true });
    await buildImage(docker, { context: stage, dockerfile: 'Dockerfile', tag, buildArgs: { BASE: base }, labels: { [LABEL_ROLE]: 'sandbox-image' }, ...(opts.signal ? { signal: opts.signal } : {}) });
    // Images of earlier harness builds go; one still used by a running sandbox stays (no force).
    await pruneSandboxImages(docker, tag);
    return { tag, built: true };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** Removes sandbox images other than `keep` (earlier harness builds). */
export async function pruneSandboxImages(docker: Dockerode, keep: string): Promise<number> {
  let removed = 0;
  for (const img of await docker.listImages({ filters: { label: [`${LABEL_ROLE}=sandbox-image`] } }).catch(() => [])) {
    if ((img.RepoTags ?? []).includes(keep)) continue;
    const ok = await docker
      .getImage(img.Id)
      .remove({ force: false })
      .then(
        () => true,
        () => false,
      );
    if (ok) removed++;
  }
  return removed;
}

/** Size of a folder tree in bytes (for reports of what an image holds). */
export function treeBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? treeBytes(p) : statSync(p).size;
  }
  return total;
}
