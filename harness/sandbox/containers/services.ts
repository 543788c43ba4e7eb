/**
 * Connector dependencies (`services: [postgres, redis]`) on the run's internal network,
 * started through the Testcontainers modules, with chaos hooks (pause, stop, start) for
 * the dependency-outage scenario.
 */
import { PostgreSqlContainer, type StartedPostgreSqlContainer } from '@testcontainers/postgresql';
import { RedisContainer, type StartedRedisContainer } from '@testcontainers/redis';
import { Wait } from 'testcontainers';
import type Dockerode from 'dockerode';
import type { ServiceKind } from '../../manifest/types.js';
import { GauntletError } from '../../errors.js';
import { imageFor } from './images.js';
import { onInternalNetworkOnly } from './internal-network.js';

export const SERVICE_ALIASES: Record<ServiceKind, string> = { postgres: 'postgres', redis: 'redis' };

const POSTGRES = { user: 'connector', password: 'connector', db: 'connector' } as const;
const START_TIMEOUT_MS = 60_000;

export type OutageKind = 'pause' | 'stop';

/** Chaos on a dependency; every method is bounded and idempotent. */
export interface DependencyControl {
  kinds(): ServiceKind[];
  /** `pause` freezes the process (connections hang); `stop` kills it (connections refused). */
  interrupt(kind: ServiceKind, how: OutageKind): Promise<void>;
  restore(kind: ServiceKind): Promise<void>;
}

export interface StartedServices extends DependencyControl {
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startServices(opts: { kinds: ServiceKind[]; network: string; labels: Record<string, string>; docker: Dockerode }): Promise<StartedServices> {
  const started = new Map<ServiceKind, { id: string; stop: () => Promise<unknown> }>();
  const state = new Map<ServiceKind, 'up' | 'paused' | 'stopped'>();
  const env: Record<string, string> = {};
  try {
    await Promise.all(
      [...new Set(opts.kinds)].map(async (kind) => {
        if (kind === 'redis') {
          // The default command is replaced by the module; protected mode would refuse other containers.
          const c: StartedRedisContainer = await onInternalNetworkOnly(new RedisContainer(imageFor('redis')), opts.network, [SERVICE_ALIASES.redis])
            .withCommand(['redis-server', '--protected-mode', 'no', '--save', '', '--appendonly', 'no'])
            .withLabels(opts.labels)
            .withStartupTimeout(START_TIMEOUT_MS)
            .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/))
            .start();
          started.set(kind, { id: c.getId(), stop: () => c.stop({ remove: true, removeVolumes: true, timeout: 1_000 }) });
          env.REDIS_URL = `redis://${SERVICE_ALIASES.redis}:6379`;
        } else {
          const c: StartedPostgreSqlContainer = await onInternalNetworkOnly(new PostgreSqlContainer(imageFor('postgres')), opts.network, [SERVICE_ALIASES.postgres])
            .withUsername(POSTGRES.user)
            .withPassword(POSTGRES.password)
            .withDatabase(POSTGRES.db)
            .withLabels(opts.labels)
            .withStartupTimeout(START_TIMEOUT_MS)
            // The module's default wait needs a published port; on an internal network there is none.
            .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 1))
            .start();
          started.set(kind, { id: c.getId(), stop: () => c.stop({ remove: true, removeVolumes: true, timeout: 1_000 }) });
          env.DATABASE_URL = `postgres://${POSTGRES.user}:${POSTGRES.password}@${SERVICE_ALIASES.postgres}:5432/${POSTGRES.db}`;
        }
        state.set(kind, 'up');
      }),
    );
  } catch (err) {
    await Promise.allSettled([...started.values()].map((s) => s.stop()));
    throw new GauntletError('GAUNTLET_ERR_SANDBOX_START', `connector services could not start: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }

  const containerOf = (kind: ServiceKind) => {
    const s = started.get(kind);
    if (!s) throw new GauntletError('GAUNTLET_ERR_INTERNAL', `service ${kind} is not part of this run (manifest services: ${[...started.keys()].join(', ') || 'none'})`);
    return opts.docker.getContainer(s.id);
  };

  return {
    env,
    kinds: () => [...started.keys()],
    async interrupt(kind, how) {
      const c = containerOf(kind);
      if (state.get(kind) !== 'up') return;
      if (how === 'pause') await c.pause();
      else await c.stop({ t: 1 });
      state.set(kind, how === 'pause' ? 'paused' : 'stopped');
    },
    async restore(kind) {
      const c = containerOf(kind);
      const s = state.get(kind);
      if (s === 'paused') await c.unpause();
      else if (s === 'stopped') {
        // Same container, same alias and address: the connector reconnects as it would after a real restart.
        await c.start();
        await waitForLog(c, kind === 'redis' ? /Ready to accept connections/ : /database system is ready to accept connections/, START_TIMEOUT_MS);
      }
      state.set(kind, 'up');
    },
    async stop() {
      await Promise.allSettled(
        [...started.entries()].map(async ([kind, s]) => {
          if (state.get(kind) === 'paused') await containerOf(kind).unpause().catch(() => undefined);
          await s.stop();
        }),
      );
    },
  };
}

/** Waits until a log line matching `re` appears after the container's latest start. */
async function waitForLog(c: Dockerode.Container, re: RegExp, timeoutMs: number): Promise<void> {
  const info = await c.inspect();
  const since = Math.floor(new Date(info.State.StartedAt).getTime() / 1000);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const buf = (await c.logs({ stdout: true, stderr: true, since, follow: false })) as unknown as Buffer;
    if (re.test(buf.toString('utf8'))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new GauntletError('GAUNTLET_ERR_INTERNAL', `service did not become ready again within ${timeoutMs} ms`);
}

/**
 * The dependency chaos hooks of a sandbox, when it has them (the containers sandbox with
 * declared services). Scenarios use this instead of depending on the sandbox class.
 */
export function dependencyControlOf(sandbox: object): DependencyControl | undefined {
  const deps = (sandbox as { dependencies?: DependencyControl }).dependencies;
  return deps && typeof deps.interrupt === 'function' && deps.kinds().length > 0 ? deps : undefined;
}
