import type { FieldProblem } from '../../harness/errors.js';
import { parseHostPort } from './address.js';
import type { Stream } from './connection.js';
import { badRequest, FaultProxyError } from './errors.js';
import { ProxyInstance, toxicView, type ProxyView, type ToxicState, type ToxicView } from './proxy.js';
import type { Clock } from './runtime.js';
import { normaliseAttributes, TOXIC_TYPES, toxicTypeNames } from './toxics/registry.js';

/** Body of a proxy create (Toxiproxy's fields; `enabled` defaults to true). */
export interface ProxyInput {
  name: string;
  listen: string;
  upstream: string;
  enabled?: boolean;
}

/** Body of a proxy update: any subset. */
export interface ProxyPatch {
  listen?: string;
  upstream?: string;
  enabled?: boolean;
}

/** Body of a toxic create; defaults as Toxiproxy: stream downstream, toxicity 1, name `<type>_<stream>`. */
export interface ToxicInput {
  type: string;
  name?: string;
  stream?: Stream;
  toxicity?: number;
  attributes?: Record<string, number>;
}

const NAME = /^[A-Za-z0-9_.\-]{1,128}$/;

/**
 * The named proxies and their toxics: every operation of the Toxiproxy API, with its
 * input checks. Errors are FaultProxyErrors whose status the HTTP layer answers with.
 */
export class ProxyCollection {
  private readonly proxies = new Map<string, ProxyInstance>();

  constructor(private readonly clock: Clock) {}

  list(): Record<string, ProxyView> {
    const out: Record<string, ProxyView> = {};
    for (const [name, proxy] of this.proxies) out[name] = proxy.view();
    return out;
  }

  get(name: string): ProxyInstance {
    const proxy = this.proxies.get(name);
    if (!proxy) throw new FaultProxyError('not-found', 'proxy not found', { problems: [{ path: 'name', reason: `no proxy named "${name}"` }] });
    return proxy;
  }

  async create(input: unknown): Promise<ProxyView> {
    const spec = checkProxyInput(input, '');
    if (this.proxies.has(spec.name)) {
      throw new FaultProxyError('conflict', 'proxy already exists', { problems: [{ path: 'name', reason: `"${spec.name}" is taken` }] });
    }
    return (await this.start(spec)).view();
  }

  /**
   * Creates or replaces many proxies. All bodies are checked first, so a bad entry
   * changes nothing. An existing proxy with the same listen and upstream is kept.
   */
  async populate(input: unknown): Promise<ProxyView[]> {
    if (!Array.isArray(input)) throw badRequest('bad request body', [{ path: '(root)', reason: 'expected an array of proxies' }]);
    const specs = input.map((item, i) => checkProxyInput(item, `[${i}].`));
    const names = new Set<string>();
    for (const spec of specs) {
      if (names.has(spec.name)) throw badRequest('bad request body', [{ path: 'name', reason: `"${spec.name}" appears twice` }]);
      names.add(spec.name);
    }
    const result: ProxyView[] = [];
    for (const spec of specs) {
      const existing = this.proxies.get(spec.name);
      if (existing && sameAddress(existing.listen, spec.listen) && sameAddress(existing.upstream, spec.upstream)) {
        if (spec.enabled === false) await existing.disable();
        else await existing.enable();
        result.push(existing.view());
        continue;
      }
      if (existing) await this.remove(spec.name);
      result.push((await this.start(spec)).view());
    }
    return result;
  }

  async update(name: string, patch: unknown): Promise<ProxyView> {
    const proxy = this.get(name);
    const problems: FieldProblem[] = [];
    const body = asObject(patch, problems);
    const listen = optionalString(body, 'listen', problems);
    const upstream = optionalString(body, 'upstream', problems);
    const enabled = optionalBoolean(body, 'enabled', problems);
    if (problems.length > 0) throw badRequest('bad request body', problems);
    await proxy.reconfigure(listen, upstream);
    if (enabled === true) await proxy.enable();
    if (enabled === false) await proxy.disable();
    return proxy.view();
  }

  async remove(name: string): Promise<void> {
    const proxy = this.get(name);
    this.proxies.delete(name);
    await proxy.disable();
  }

  /** Re-enables every proxy and removes every toxic. */
  async reset(): Promise<void> {
    for (const proxy of this.proxies.values()) {
      proxy.removeAllToxics();
      await proxy.enable();
    }
  }

  async closeAll(): Promise<void> {
    const all = [...this.proxies.values()];
    this.proxies.clear();
    await Promise.all(all.map((p) => p.disable()));
  }

  toxics(proxyName: string): ToxicView[] {
    return this.get(proxyName).toxicViews();
  }

  toxic(proxyName: string, toxicName: string): ToxicView {
    return toxicView(this.findToxic(this.get(proxyName), toxicName));
  }

  addToxic(proxyName: string, input: unknown): ToxicView {
    const proxy = this.get(proxyName);
    const toxic = checkToxicInput(input);
    if (proxy.findToxic(toxic.name)) {
      throw new FaultProxyError('conflict', 'toxic already exists', { problems: [{ path: 'name', reason: `"${toxic.name}" is taken on proxy "${proxyName}"` }] });
    }
    proxy.addToxic(toxic);
    return toxicView(toxic);
  }

  /** Updates toxicity, stream or attributes (merged over the current ones); type and name stay. */
  updateToxic(proxyName: string, toxicName: string, input: unknown): ToxicView {
    const proxy = this.get(proxyName);
    const current = this.findToxic(proxy, toxicName);
    const problems: FieldProblem[] = [];
    const body = asObject(input, problems);
    const toxicity = optionalToxicity(body, problems) ?? current.toxicity;
    const stream = optionalStream(body, problems) ?? current.stream;
    const { attributes, problems: attributeProblems } = normaliseAttributes(current.definition, body.attributes, current.attributes);
    problems.push(...attributeProblems);
    if (problems.length > 0) throw badRequest('bad request body', problems);
    const next: ToxicState = { ...current, toxicity, stream, attributes };
    proxy.replaceToxic(next);
    return toxicView(next);
  }

  removeToxic(proxyName: string, toxicName: string): void {
    const proxy = this.get(proxyName);
    this.findToxic(proxy, toxicName);
    proxy.removeToxic(toxicName);
  }

  private findToxic(proxy: ProxyInstance, toxicName: string): ToxicState {
    const toxic = proxy.findToxic(toxicName);
    if (!toxic) {
      throw new FaultProxyError('not-found', 'toxic not found', { problems: [{ path: 'name', reason: `no toxic "${toxicName}" on proxy "${proxy.name}"` }] });
    }
    return toxic;
  }

  private async start(spec: Required<ProxyInput>): Promise<ProxyInstance> {
    const proxy = new ProxyInstance(spec.name, spec.listen, spec.upstream, this.clock);
    if (spec.enabled) await proxy.enable();
    this.proxies.set(spec.name, proxy);
    return proxy;
  }
}

function checkProxyInput(input: unknown, prefix: string): Required<ProxyInput> {
  const problems: FieldProblem[] = [];
  const body = asObject(input, problems, prefix);
  const name = body.name;
  if (typeof name !== 'string' || !NAME.test(name)) {
    problems.push({ path: `${prefix}name`, reason: 'required: 1-128 characters of A-Z a-z 0-9 _ . -' });
  }
  const listen = optionalString(body, 'listen', problems, prefix);
  const upstream = optionalString(body, 'upstream', problems, prefix);
  if (listen === undefined && !problems.some((p) => p.path === `${prefix}listen`)) problems.push({ path: `${prefix}listen`, reason: 'required "host:port"' });
  if (upstream === undefined && !problems.some((p) => p.path === `${prefix}upstream`)) problems.push({ path: `${prefix}upstream`, reason: 'required "host:port"' });
  const enabled = optionalBoolean(body, 'enabled', problems, prefix);
  if (problems.length > 0) throw badRequest(problems.some((p) => p.reason.startsWith('required')) ? 'missing required field' : 'bad request body', problems);
  return { name: name as string, listen: listen!, upstream: upstream!, enabled: enabled ?? true };
}

function checkToxicInput(input: unknown): ToxicState {
  const problems: FieldProblem[] = [];
  const body = asObject(input, problems);
  const type = body.type;
  const definition = typeof type === 'string' ? TOXIC_TYPES.get(type) : undefined;
  if (!definition) {
    throw badRequest('invalid toxic type', [{ path: 'type', reason: `expected one of ${toxicTypeNames().join(', ')}` }]);
  }
  const stream = optionalStream(body, problems) ?? 'downstream';
  const toxicity = optionalToxicity(body, problems) ?? 1;
  let name = `${definition.type}_${stream}`;
  if (body.name !== undefined && body.name !== '') {
    if (typeof body.name !== 'string' || !NAME.test(body.name)) problems.push({ path: 'name', reason: '1-128 characters of A-Z a-z 0-9 _ . -' });
    else name = body.name;
  }
  const { attributes, problems: attributeProblems } = normaliseAttributes(definition, body.attributes);
  problems.push(...attributeProblems);
  if (problems.length > 0) {
    const invalidStream = problems.some((p) => p.path === 'stream');
    throw badRequest(invalidStream ? 'stream was invalid, can be either upstream or downstream' : 'bad request body', problems);
  }
  return { name, type: definition.type, stream, toxicity, attributes, definition };
}

function asObject(input: unknown, problems: FieldProblem[], prefix = ''): Record<string, unknown> {
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) return input as Record<string, unknown>;
  problems.push({ path: prefix ? prefix.slice(0, -1) : '(root)', reason: 'expected a JSON object' });
  return {};
}

function optionalString(body: Record<string, unknown>, key: string, problems: FieldProblem[], prefix = ''): string | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (typeof value === 'string' && value.length > 0) return value;
  problems.push({ path: `${prefix}${key}`, reason: 'must be a non-empty "host:port" string' });
  return undefined;
}

function optionalBoolean(body: Record<string, unknown>, key: string, problems: FieldProblem[], prefix = ''): boolean | undefined {
  const value = body[key];
  if (value === undefined || typeof value === 'boolean') return value;
  problems.push({ path: `${prefix}${key}`, reason: 'must be true or false' });
  return undefined;
}

function optionalStream(body: Record<string, unknown>, problems: FieldProblem[]): Stream | undefined {
  const value = body.stream;
  if (value === undefined || value === '') return undefined;
  if (value === 'upstream' || value === 'downstream') return value;
  problems.push({ path: 'stream', reason: 'must be "upstream" or "downstream"' });
  return undefined;
}

function optionalToxicity(body: Record<string, unknown>, problems: FieldProblem[]): number | undefined {
  const value = body.toxicity;
  if (value === undefined) return undefined;
  if (typeof value === 'number' && value >= 0 && value <= 1) return value;
  problems.push({ path: 'toxicity', reason: 'must be a number from 0 to 1' });
  return undefined;
}

/** Compares normalised addresses; a requested port 0 matches whatever port was picked for it. */
function sameAddress(actual: string, requested: string): boolean {
  const a = parseHostPort(actual, 'address');
  const r = parseHostPort(requested, 'address');
  return a.host === r.host && (a.port === r.port || r.port === 0);
}
