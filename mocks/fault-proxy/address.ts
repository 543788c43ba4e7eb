import { badRequest } from './errors.js';

export interface HostPort {
  host: string;
  port: number;
}

/**
 * Parses Toxiproxy's `host:port` strings: `127.0.0.1:0`, `localhost:8080`, `[::1]:80`,
 * `:8080` (all interfaces, like Go's net.Listen).
 */
export function parseHostPort(value: unknown, field: string): HostPort {
  if (typeof value !== 'string' || value.length === 0 || value.length > 300) {
    throw badRequest(`${field} must be a "host:port" string`, [{ path: field, reason: 'expected "host:port"' }]);
  }
  const colon = value.lastIndexOf(':');
  if (colon < 0) throw badRequest(`${field} has no port`, [{ path: field, reason: `"${value}" has no ":port"` }]);
  let host = value.slice(0, colon);
  const portText = value.slice(colon + 1);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) {
    throw badRequest(`${field} has an invalid port`, [{ path: field, reason: `port "${portText}" is not 0..65535` }]);
  }
  return { host: host === '' ? '0.0.0.0' : host, port: Number(portText) };
}

export function formatHostPort({ host, port }: HostPort): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
