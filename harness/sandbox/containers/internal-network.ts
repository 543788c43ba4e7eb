/**
 * Attach a container to the run's internal network ONLY, with aliases, from creation on.
 *
 * Testcontainers' `withNetworkAliases` creates the container on the default bridge and
 * connects the named network afterwards, which leaves the bridge (and so a route out)
 * attached: exactly what the connector must not have. Here the network and its aliases
 * go into the create call, so there is no moment with another network.
 */
import type { GenericContainer } from 'testcontainers';

export function onInternalNetworkOnly<T extends GenericContainer>(container: T, network: string, aliases: string[]): T {
  container.withNetworkMode(network);
  const inner = container as unknown as {
    createOpts: { NetworkingConfig?: { EndpointsConfig?: Record<string, { Aliases?: string[] }> }; ExposedPorts?: Record<string, unknown> };
    hostConfig: { PortBindings?: Record<string, unknown> };
    exposedPorts: unknown[];
  };
  inner.createOpts.NetworkingConfig = { EndpointsConfig: { [network]: { Aliases: aliases } } };
  // Nothing is published from an internal network; a module's exposed ports (redis 6379,
  // postgres 5432) would make Testcontainers wait for host bindings that never come.
  inner.exposedPorts = [];
  delete inner.createOpts.ExposedPorts;
  delete inner.hostConfig.PortBindings;
  return container;
}
