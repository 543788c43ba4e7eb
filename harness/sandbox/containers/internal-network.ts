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
  const opts = (container as unknown as { createOpts: { NetworkingConfig?: { EndpointsConfig?: Record<string, { Aliases?: string[] }> } } }).createOpts;
  opts.NetworkingConfig = { EndpointsConfig: { [network]: { Aliases: aliases } } };
  return container;
}
