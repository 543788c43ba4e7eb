/**
 * Wires the egress interceptor into a run: for a connector started with `node`, starts the
 * report channel and adds `NODE_OPTIONS=--import <preload>` plus the channel's address to
 * its environment. Other commands (and containers) are left alone: see docs/egress.md.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Manifest } from '../manifest/types.js';
import type { Ledger } from '../model/ledger.js';
import { ENV_REPORT_ADDRESS } from './protocol.js';
import { startEgressReportServer, type EgressReportServer } from './report-server.js';

export interface EgressInterception {
  /** The preload module (absolute path) and the report channel's address. */
  readonly preloadPath: string;
  readonly server: EgressReportServer;
  /** The connector env with the preload added (an existing NODE_OPTIONS is kept, after ours). */
  apply(env: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

/** True when the manifest starts the connector with Node itself (`node`, `node20`, `/usr/bin/node`…). */
export function isNodeCommand(manifest: Manifest): boolean {
  const cmd = manifest.run.command?.[0];
  if (!cmd) return false;
  return /^node(js)?(\d+)?(\.exe)?$/i.test(path.basename(cmd));
}

/**
 * The compiled preload: next to this module when running from dist/, else the build in
 * dist/ (tests run the TypeScript sources, and Node cannot `--import` a .ts file).
 */
export function findPreload(): string | undefined {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, 'preload.js'), path.resolve(here, '../../dist/harness/egress/preload.js')];
  return candidates.find((p) => existsSync(p));
}

export interface EgressInterceptionOptions {
  manifest: Manifest;
  ledger: Ledger;
  /** The sandbox's allow-list check. */
  allows: (host: string, port: number) => boolean;
  /** The egress proxy's URL: the interceptor lets requests to it through (the proxy judges them). */
  egressProxyUrl?: string;
}

/** Starts interception for Node connectors; undefined (with nothing started) otherwise. */
export async function startEgressInterception(opts: EgressInterceptionOptions): Promise<EgressInterception | undefined> {
  if (!isNodeCommand(opts.manifest)) return undefined;
  const preloadPath = findPreload();
  if (!preloadPath) return undefined;
  const alsoAllow: string[] = [];
  if (opts.egressProxyUrl) {
    const u = new URL(opts.egressProxyUrl);
    alsoAllow.push(u.host);
    if (u.hostname === '127.0.0.1') alsoAllow.push(`localhost:${u.port}`);
  }
  const server = await startEgressReportServer({ ledger: opts.ledger, allows: opts.allows, alsoAllow });
  const importFlag = `--import=${pathToFileURL(preloadPath).href}`;
  return {
    preloadPath,
    server,
    apply(env) {
      const existing = env['NODE_OPTIONS']?.trim();
      return { ...env, NODE_OPTIONS: existing ? `${importFlag} ${existing}` : importFlag, [ENV_REPORT_ADDRESS]: server.address };
    },
    close: () => server.close(),
  };
}
