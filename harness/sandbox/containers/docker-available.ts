/**
 * Is a Docker engine reachable? Asked once per process, bounded in time, with the reason
 * kept so that skipped tests and the CLI can say why.
 */
import { GauntletError } from '../../errors.js';

export type DockerAvailability = { ok: true } | { ok: false; reason: string };

const PROBE_TIMEOUT_MS = 8_000;
let cached: Promise<DockerAvailability> | undefined;

/** Testcontainers needs Ryuk's image from a registry unless told not to; none is reachable in CI. */
export function disableRyukByDefault(env: NodeJS.ProcessEnv = process.env): void {
  env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
}

export function dockerAvailability(): Promise<DockerAvailability> {
  cached ??= probe();
  return cached;
}

async function probe(): Promise<DockerAvailability> {
  disableRyukByDefault();
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
    });
    // Testcontainers falls back to the default socket when DOCKER_HOST fails; an explicit
    // DOCKER_HOST is the user's choice and must be the engine that answers.
    const explicit = process.env.DOCKER_HOST;
    if (explicit) {
      const { default: Dockerode } = await import('dockerode');
      await Promise.race([new Dockerode().ping(), timeout]).catch((err: unknown) => {
        throw new Error(`DOCKER_HOST=${explicit} does not answer: ${err instanceof Error ? err.message : String(err)}`);
      });
    }
    const { getContainerRuntimeClient } = await import('testcontainers');
    const client = await Promise.race([getContainerRuntimeClient(), timeout]);
    await Promise.race([client.container.dockerode.ping(), timeout]);
    return { ok: true };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { ok: false, reason: `no Docker engine reachable (${why.split('\n')[0]!.slice(0, 200)})` };
  } finally {
    clearTimeout(timer);
  }
}

/** Throws GAUNTLET_ERR_DOCKER_UNAVAILABLE (exit 2) with a remedy when no engine answers. */
export async function requireDocker(): Promise<void> {
  const a = await dockerAvailability();
  if (!a.ok) {
    throw new GauntletError(
      'GAUNTLET_ERR_DOCKER_UNAVAILABLE',
      `--sandbox containers needs a Docker engine: ${a.reason}. Start one (on CI: sudo .ci/docker-engine.sh), set DOCKER_HOST, or run with --sandbox embedded.`,
    );
  }
}
