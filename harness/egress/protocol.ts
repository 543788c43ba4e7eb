/**
 * The line protocol between the preloaded egress interceptor (inside the connector's
 * process) and the harness: newline-delimited JSON over a loopback TCP socket. Raw `net`
 * on purpose: the interceptor patches `http` and `fetch`, so its own reports must not use them.
 */

/** Connector → harness: may this destination be contacted? Answered with a `Decision`. */
export interface CheckMessage {
  op: 'check';
  id: number;
  method: string;
  /** `host:port` (IPv6 hosts in brackets). */
  destination: string;
  path: string;
}

/** Connector → harness: an attempt that was blocked (no answer). */
export interface BlockedMessage {
  op: 'blocked';
  method: string;
  destination: string;
  path: string;
  /** Capped request body, evidence for the leak scan. */
  body?: string;
}

export type InterceptorMessage = CheckMessage | BlockedMessage;

export interface Decision {
  id: number;
  allow: boolean;
}

/** Env names the runner sets for the preload. */
export const ENV_REPORT_ADDRESS = 'GAUNTLET_EGRESS_REPORT';
/** Extra `host:port` destinations the preload allows without asking (e.g. fault proxy listeners). */
export const ENV_ALLOW_EXTRA = 'GAUNTLET_EGRESS_ALLOW_EXTRA';

/** Longest line either side accepts; bodies are capped well below it. */
export const MAX_LINE_BYTES = 64 * 1024;
/** Body bytes a blocked report carries. */
export const MAX_REPORTED_BODY_BYTES = 8 * 1024;

/** Parses `host:port` with an optional bracketed IPv6 host; undefined when malformed. */
export function parseDestination(destination: string): { host: string; port: number } | undefined {
  const m = /^\[?([^\]\s]+?)\]?:(\d{1,5})$/.exec(destination);
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return undefined;
  return { host: m[1]!, port };
}

/** `host:port` of a URL, with the scheme's default port. */
export function destinationOf(url: URL): string {
  const port = url.port || (url.protocol === 'https:' || url.protocol === 'wss:' ? '443' : '80');
  return `${url.hostname}:${port}`;
}
