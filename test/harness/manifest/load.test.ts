import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GauntletError, type FieldProblem } from '../../../harness/errors.js';
import { loadManifest, parseManifestText, validateManifest } from '../../../harness/manifest/load.js';
import type { Manifest } from '../../../harness/manifest/types.js';
import { CONTRACT_EXAMPLE_YAML, VALID_YAML, validData } from './fixtures.js';

const SOURCE = path.resolve('/project/connectors/acme/connector.yaml');
const DIR = path.dirname(SOURCE);

function catchError(fn: () => unknown): GauntletError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(GauntletError);
    return e as GauntletError;
  }
  throw new Error('expected a GauntletError, but nothing was thrown');
}

async function catchAsync(p: Promise<unknown>): Promise<GauntletError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(GauntletError);
    return e as GauntletError;
  }
  throw new Error('expected a GauntletError, but the promise resolved');
}

/** Validates a mutated copy of the valid manifest and returns its problems (it must be invalid). */
function problems(mutate: (m: Record<string, any>) => void, opts = {}): FieldProblem[] {
  const data = validData();
  mutate(data);
  const err = catchError(() => validateManifest(data, SOURCE, opts));
  expect(err.code).toBe('GAUNTLET_ERR_MANIFEST_INVALID');
  expect(err.problems.length).toBeGreaterThan(0);
  return err.problems;
}

function reasonAt(ps: FieldProblem[], p: string): string {
  const hit = ps.find((x) => x.path === p);
  if (!hit) throw new Error(`no problem at ${p}; got ${JSON.stringify(ps)}`);
  return hit.reason;
}

function valid(mutate: (m: Record<string, any>) => void, opts = {}): Manifest {
  const data = validData();
  mutate(data);
  return validateManifest(data, SOURCE, opts);
}

describe('valid manifests normalise', () => {
  it('normalises the contract example from YAML', () => {
    const m = parseManifestText(VALID_YAML, 'yaml', SOURCE);
    expect(m).toEqual({
      apiVersion: 'gauntlet/v1',
      name: 'acme-refunds',
      version: '1.4.2',
      type: 'payout',
      tier: 'critical',
      owner: 'payments-security@example.test',
      run: { command: ['node', 'server.js'], cwd: DIR, healthPath: '/health', startTimeoutMs: 15000, env: { STRIPE_WEBHOOK_SECRET: '${WEBHOOK_SECRET}' } },
      webhooks: { path: '/webhooks', scheme: 'standard-webhooks', events: ['payment.captured', 'refund.requested', 'refund.canceled'], toleranceSec: 300 },
      scopes: ['payments:read', 'refunds:write', 'risk:write'],
      egress: ['hub', 'acquirer'],
      effects: {
        'refund.requested': [{ call: 'acquirer POST /v1/refunds', target: 'acquirer', method: 'POST', path: '/v1/refunds', max: 1, min: 1, cancelledBy: ['refund.canceled'] }],
        'payment.captured': [{ call: 'POST /v1/payments/{id}/risk_assessments', target: 'hub', method: 'POST', path: '/v1/payments/{id}/risk_assessments', max: 1, min: 1, cancelledBy: [] }],
      },
      sla: { ackMs: 2000, outboundTimeoutMs: 5000 },
      services: [],
      source: { path: SOURCE, dir: DIR },
    } satisfies Manifest);
  });

  it('loads the contract section 2 example as written', () => {
    const m = parseManifestText(CONTRACT_EXAMPLE_YAML, 'yaml', SOURCE);
    expect(m.run).toEqual({
      command: ['node', 'server.js'],
      cwd: DIR,
      port: 8080,
      healthPath: '/health',
      startTimeoutMs: 15000,
      env: { STRIPE_WEBHOOK_SECRET: '${WEBHOOK_SECRET}', API_BASE: '${HUB_API_URL}' },
    });
    expect(m.effects['refund.requested']!.map((r) => [r.target, r.method, r.path, r.max, r.min, r.cancelledBy])).toEqual([
      ['acquirer', 'POST', '/v1/refunds', 1, 1, []],
      ['hub', 'POST', '/v1/refunds', 1, undefined, ['refund.canceled']],
    ]);
    expect(m.tier).toBe('critical');
  });

  it('gives the same Manifest from JSON', () => {
    const fromYaml = parseManifestText(VALID_YAML, 'yaml', SOURCE);
    const fromJson = parseManifestText(JSON.stringify(validData()), 'json', SOURCE);
    expect(fromJson).toEqual(fromYaml);
  });

  it('fills defaults when optional sections are absent', () => {
    const m = valid((d) => {
      delete d.sla;
      delete d.scopes;
      delete d.egress;
      delete d.effects;
      delete d.owner;
      d.type = 'fraud-scoring';
      d.run = { command: ['./run'] };
    });
    expect(m.run).toEqual({ command: ['./run'], cwd: DIR, startTimeoutMs: 15000, env: {} });
    expect(m.sla).toEqual({ ackMs: 2000, outboundTimeoutMs: 5000 });
    expect(m.webhooks.toleranceSec).toBe(300);
    expect(m).toMatchObject({ scopes: [], egress: [], effects: {}, services: [], tier: 'high' });
    expect('owner' in m).toBe(false);
  });

  it('lets tier raise the default, resolves relative paths, keeps services', () => {
    const m = valid((d) => {
      d.type = 'tax';
      d.tier = 'critical';
      d.run = { dockerfile: './docker/Dockerfile', buildArgs: { BASE: 'node:20-slim' }, args: ['--region=eu'], cwd: 'src' };
      d.services = ['postgres', 'redis'];
    });
    expect(m.tier).toBe('critical');
    expect(m.run.dockerfile).toBe(path.join(DIR, 'docker', 'Dockerfile'));
    expect(m.run.cwd).toBe(path.join(DIR, 'src'));
    expect(m.run.buildArgs).toEqual({ BASE: 'node:20-slim' });
    expect(m.run.args).toEqual(['--region=eu']);
    expect(m.services).toEqual(['postgres', 'redis']);
  });

  it('accepts image + args, url, and every egress form', () => {
    expect(valid((d) => (d.run = { image: 'registry.example.test/acme/refunds:1.4.2', args: ['--x'] })).run.image).toBe('registry.example.test/acme/refunds:1.4.2');
    expect(valid((d) => (d.run = { url: 'https://127.0.0.1:9443/base', healthPath: '/h' })).run.url).toBe('https://127.0.0.1:9443/base');
    const eg = ['hub', 'acquirer', 'api.example.test:443', '*.example.test', '10.0.0.1:5432', '[::1]:8080', 'localhost'];
    expect(valid((d) => (d.egress = eg)).egress).toEqual(eg);
    expect(valid((d) => (d.egress = ['API.Example.TEST:443'])).egress).toEqual(['api.example.test:443']);
  });

  it('accepts tier equal to the default and method in lower case', () => {
    const m = valid((d) => {
      d.tier = 'critical';
      d.effects = { 'refund.requested': { call: 'acquirer post /v1/refunds' } };
    });
    expect(m.effects['refund.requested']![0]).toMatchObject({ method: 'POST', target: 'acquirer', cancelledBy: [] });
    expect(m.effects['refund.requested']![0]!.max).toBeUndefined();
  });
});

describe('each rule has a failing example naming the field', () => {
  const cases: Array<[string, (d: Record<string, any>) => void, string, RegExp]> = [
    ['apiVersion', (d) => (d.apiVersion = 'gauntlet/v2'), 'apiVersion', /must be "gauntlet\/v1".*gauntlet\/v2/],
    ['apiVersion missing', (d) => delete d.apiVersion, 'apiVersion', /required/],
    ['type', (d) => (d.type = 'payouts'), 'type', /one of .*payout.*did you mean "payout"/],
    ['tier lowers', (d) => (d.tier = 'medium'), 'tier', /only raise.*critical.*got medium/],
    ['tier unknown', (d) => (d.tier = 'extreme'), 'tier', /one of low, medium, high, critical/],
    ['run missing', (d) => delete d.run, 'run', /required/],
    ['run no form', (d) => (d.run = { healthPath: '/h' }), 'run', /exactly one of .*found none/],
    ['run two forms', (d) => (d.run.image = 'x:1'), 'run', /exactly one of .*found command and image/],
    ['run four forms', (d) => Object.assign(d.run, { image: 'x', dockerfile: 'D', url: 'http://a' }), 'run', /found command and image and dockerfile and url/],
    ['args with command', (d) => (d.run.args = ['x']), 'run.args', /only used with run.image or run.dockerfile/],
    ['buildArgs with image', (d) => (d.run = { image: 'x', buildArgs: { A: 'b' } }), 'run.buildArgs', /only used with run.dockerfile/],
    ['command empty', (d) => (d.run.command = []), 'run.command', /non-empty list/],
    ['command string', (d) => (d.run.command = 'node server.js'), 'run.command', /must be an list|must be a list/],
    ['command item', (d) => (d.run.command = ['node', 3]), 'run.command[1]', /must be a string \(got number 3/],
    ['command program empty', (d) => (d.run.command = ['', 'x']), 'run.command[0]', /program/],
    ['port 0', (d) => (d.run.port = 0), 'run.port', /from 1 to 65535 \(got number 0\)/],
    ['port 65536', (d) => (d.run.port = 65536), 'run.port', /from 1 to 65535/],
    ['port fraction', (d) => (d.run.port = 80.5), 'run.port', /integer from 1 to 65535 \(got number 80.5\)/],
    ['healthPath', (d) => (d.run.healthPath = 'health'), 'run.healthPath', /starting with "\/"/],
    ['startTimeoutMs negative', (d) => (d.run.startTimeoutMs = -5), 'run.startTimeoutMs', /from 100 to 600000 \(got number -5\)/],
    ['startTimeoutMs 10h', (d) => (d.run.startTimeoutMs = 36_000_000), 'run.startTimeoutMs', /from 100 to 600000/],
    ['startTimeoutMs tiny', (d) => (d.run.startTimeoutMs = 99), 'run.startTimeoutMs', /from 100/],
    ['startTimeoutMs string', (d) => (d.run.startTimeoutMs = '15s'), 'run.startTimeoutMs', /integer from 100 to 600000 \(got string "15s"\)/],
    ['env value number', (d) => (d.run.env.PORT_HINT = 8080), 'run.env.PORT_HINT', /must be a string \(got number 8080; quote it/],
    ['env bad name', (d) => (d.run.env['BAD-NAME'] = 'x'), 'run.env.BAD-NAME', /not a valid key/],
    ['env bad template', (d) => (d.run.env.X = '${WEBHOOK_SECRET'), 'run.env.X', /unterminated/],
    ['env not a map', (d) => (d.run.env = ['A=b']), 'run.env', /must be a mapping/],
    ['url scheme', (d) => (d.run = { url: 'ftp://example.test' }), 'run.url', /http:\/\/ or https:\/\//],
    ['url with port', (d) => (d.run = { url: 'http://127.0.0.1:9000', port: 9000 }), 'run.port', /no effect with run.url/],
    ['url with env', (d) => (d.run = { url: 'http://127.0.0.1:9000', env: { A: 'b' } }), 'run.env', /no effect with run.url/],
    ['url broken', (d) => (d.run = { url: 'http://exa[mple' }), 'run.url', /valid http\(s\) URL/],
    ['cwd outside', (d) => (d.run.cwd = '../../..'), 'run.cwd', /outside the project folder/],
    ['cwd absolute outside', (d) => (d.run.cwd = '/etc'), 'run.cwd', /outside the project folder/],
    ['dockerfile outside', (d) => (d.run = { dockerfile: '../../Dockerfile' }), 'run.dockerfile', /outside the project folder/],
    ['unknown run field', (d) => (d.run.helthPath = '/h'), 'run.helthPath', /did you mean "healthPath"/],
    ['unknown top field', (d) => (d.scope = ['a:b']), 'scope', /did you mean "scopes"/],
    ['unknown field far from any', (d) => (d.zzzzzzzz = 1), 'zzzzzzzz', /not a known field \(known: apiVersion/],
    ['webhooks.path', (d) => (d.webhooks.path = 'webhooks'), 'webhooks.path', /starting with "\/"/],
    ['scheme', (d) => (d.webhooks.scheme = 'hmac'), 'webhooks.scheme', /one of standard-webhooks, stripe, github, hmac-sha256/],
    ['events empty', (d) => (d.webhooks.events = []), 'webhooks.events', /non-empty/],
    ['events name', (d) => (d.webhooks.events = ['Payment Captured']), 'webhooks.events[0]', /event type like "refund.requested"/],
    ['events repeated', (d) => d.webhooks.events.push('refund.requested'), 'webhooks.events', /same value twice/],
    ['toleranceSec 0', (d) => (d.webhooks.toleranceSec = 0), 'webhooks.toleranceSec', /from 1 to 3600/],
    ['toleranceSec 1h+1', (d) => (d.webhooks.toleranceSec = 3601), 'webhooks.toleranceSec', /from 1 to 3600/],
    ['scopes', (d) => (d.scopes = ['refunds']), 'scopes[0]', /area:verb/],
    ['scopes not list', (d) => (d.scopes = 'refunds:write'), 'scopes', /must be an? list/],
    ['egress url', (d) => (d.egress = ['http://api.example.test']), 'egress[0]', /host\[:port\]/],
    ['egress bare wildcard', (d) => (d.egress = ['hub', '*']), 'egress[1]', /host\[:port\]/],
    ['egress port', (d) => (d.egress = ['api.example.test:70000']), 'egress[0]', /port must be from 1 to 65535/],
    ['egress port 0', (d) => (d.egress = ['api.example.test:0']), 'egress[0]', /port must be from 1 to 65535/],
    ['effect target', (d) => (d.effects['refund.requested'][0].call = 'bank POST /v1/refunds'), 'effects.refund.requested[0].call', /target must be "hub" or "acquirer"/],
    ['effect method', (d) => (d.effects['refund.requested'][0].call = 'acquirer FETCH /v1/refunds'), 'effects.refund.requested[0].call', /method must be one of GET, POST, PUT, PATCH, DELETE/],
    ['effect path', (d) => (d.effects['payment.captured'].call = 'POST v1/refunds'), 'effects.payment.captured.call', /start with "\/"/],
    ['effect placeholder', (d) => (d.effects['payment.captured'].call = 'POST /v1/pay{id}'), 'effects.payment.captured.call', /whole segment/],
    ['effect call missing', (d) => delete d.effects['payment.captured'].call, 'effects.payment.captured.call', /required/],
    ['effect max negative', (d) => (d.effects['refund.requested'][0].max = -1), 'effects.refund.requested[0].max', /integer from 0/],
    ['effect min > max', (d) => (d.effects['refund.requested'][0].min = 2), 'effects.refund.requested[0].min', /must not exceed max \(got min 2 > max 1\)/],
    ['effect cancelledBy', (d) => (d.effects['refund.requested'][0].cancelledBy = 'refund.canceled'), 'effects.refund.requested[0].cancelledBy', /must be an? list/],
    ['effect cancelledBy name', (d) => (d.effects['refund.requested'][0].cancelledBy = ['canceled']), 'effects.refund.requested[0].cancelledBy[0]', /event type/],
    ['effect unknown field', (d) => (d.effects['refund.requested'][0].maxx = 1), 'effects.refund.requested[0].maxx', /did you mean "max"/],
    ['effect key not subscribed', (d) => (d.effects['payout.requested'] = { call: 'POST /v1/payouts' }), 'effects.payout.requested', /not in webhooks.events/],
    ['effect key pattern', (d) => (d.effects.Refund = { call: 'POST /v1/payouts' }), 'effects.Refund', /not a valid key/],
    ['effect empty list', (d) => (d.effects['refund.requested'] = []), 'effects.refund.requested', /non-empty list/],
    ['effect wrong type', (d) => (d.effects['refund.requested'] = 'POST /v1/refunds'), 'effects.refund.requested', /must be a mapping \(got string/],
    ['ackMs 0', (d) => (d.sla.ackMs = 0), 'sla.ackMs', /from 1 to 60000/],
    ['ackMs 10h', (d) => (d.sla.ackMs = 36_000_000), 'sla.ackMs', /from 1 to 60000 \(got number 36000000\)/],
    ['outboundTimeoutMs', (d) => (d.sla.outboundTimeoutMs = 120_001), 'sla.outboundTimeoutMs', /from 1 to 120000/],
    ['outboundTimeoutMs infinite', (d) => (d.sla.outboundTimeoutMs = Number.POSITIVE_INFINITY), 'sla.outboundTimeoutMs', /from 1 to 120000/],
    ['services', (d) => (d.services = ['mysql']), 'services[0]', /one of postgres, redis/],
    ['name', (d) => (d.name = 'Acme Refunds'), 'name', /lower-case letters/],
    ['name leading dash', (d) => (d.name = '-acme'), 'name', /starting with a letter or digit/],
    ['version empty', (d) => (d.version = ''), 'version', /must not be empty/],
    ['version number', (d) => (d.version = 1.4), 'version', /must be a string \(got number 1.4; quote it in YAML: "1.4"\)/],
    ['owner', (d) => (d.owner = 42), 'owner', /must be a string/],
  ];
  it.each(cases)('%s', (_label, mutate, field, reason) => {
    expect(reasonAt(problems(mutate), field)).toMatch(reason);
  });

  it('allows paths outside the project only when asked, and honours projectRoot', () => {
    const outside = (d: Record<string, any>) => (d.run.cwd = '../shared');
    expect(reasonAt(problems(outside), 'run.cwd')).toMatch(/outside/);
    expect(valid(outside, { allowOutsideProject: true }).run.cwd).toBe(path.resolve(DIR, '../shared'));
    expect(valid(outside, { projectRoot: '/project' }).run.cwd).toBe(path.resolve('/project/connectors/shared'));
  });
});

describe('problem reporting', () => {
  it('reports every problem together, not just the first', () => {
    const ps = problems((d) => {
      d.run.startTimeoutMs = -5;
      d.run.helthPath = '/health';
      d.webhooks.scheme = 'stripee';
      d.sla.ackMs = 0;
      d.tier = 'low';
      d.effects['refund.requested'][0].call = 'acquirer FETCH /v1/refunds';
    });
    const paths = ps.map((p) => p.path);
    for (const p of ['run.startTimeoutMs', 'run.helthPath', 'webhooks.scheme', 'sla.ackMs', 'tier', 'effects.refund.requested[0].call']) {
      expect(paths).toContain(p);
    }
  });

  it('formats a message with one line per problem and the remedy', () => {
    const err = catchError(() => validateManifest({ ...validData(), run: { command: ['x'], startTimeoutMs: -5 } }, SOURCE));
    expect(err.message).toBe('connector.yaml has 1 problem');
    expect(err.format()).toContain('  - run.startTimeoutMs: must be an integer from 100 to 600000 (got number -5)');
    expect(err.exitCode).toBe(2);
  });

  it.each([
    ['an array', [1, 2]],
    ['a string', 'apiVersion: gauntlet/v1'],
    ['a number', 42],
    ['null', null],
    ['a boolean', true],
  ])('rejects %s at the top level', (_label, data) => {
    const err = catchError(() => validateManifest(data, SOURCE));
    expect(err.code).toBe('GAUNTLET_ERR_MANIFEST_INVALID');
    expect(err.problems[0]!.path).toBe('');
  });

  it('lists missing required fields of an empty mapping', () => {
    const err = catchError(() => validateManifest({}, SOURCE));
    expect(err.problems.map((p) => p.path).sort()).toEqual(['apiVersion', 'name', 'run', 'type', 'version', 'webhooks']);
  });

  it('reports __proto__ keys without polluting any prototype', () => {
    const text = JSON.stringify(validData())
      .replace('{"apiVersion"', '{"__proto__":{"polluted":"yes"},"apiVersion"')
      .replace('"env":{', '"env":{"__proto__":"x",')
      .replace('"refund.requested":[', '"__proto__":{"call":"POST /x"},"refund.requested":[');
    const err = catchError(() => parseManifestText(text, 'json', SOURCE));
    const paths = err.problems.map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['__proto__', 'run.env.__proto__', 'effects.__proto__']));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const yamlErr = catchError(() => parseManifestText(`${VALID_YAML}__proto__: { polluted: yes }\n`, 'yaml', SOURCE));
    expect(yamlErr.problems.map((p) => p.path)).toContain('__proto__');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('escapes odd keys in paths and truncates long values', () => {
    const ps = problems((d) => {
      d['we ird\nkey'] = 1;
      d.name = 'X'.repeat(500);
    });
    expect(ps.map((p) => p.path)).toContain('["we ird\\nkey"]');
    expect(reasonAt(ps, 'name').length).toBeLessThan(400);
  });
});

describe('untrusted text in messages', () => {
  const RAW = /[\u0000-\u0008\u000b-\u001f\u007f\u2028\u2029\u202e]/;
  it('escapes control and bidi characters the manifest puts into messages', () => {
    const yamlErr = catchError(() => parseManifestText('a: "\u001b[31m\u202e\nb: [\n', 'yaml', SOURCE));
    expect(yamlErr.format()).not.toMatch(RAW);
    const jsonErr = catchError(() => parseManifestText('{"a\u001b[31m\u202e": }', 'json', SOURCE));
    expect(jsonErr.format()).not.toMatch(RAW);
    const invalidErr = catchError(() =>
      validateManifest({ ...validData(), run: { command: ['x'], cwd: '../\u001b[2J\u202e', env: { A: '${\u001b}' } }, ['k\u001b']: 1, name: '\u2028' }, SOURCE),
    );
    expect(invalidErr.problems.length).toBeGreaterThanOrEqual(4);
    expect(invalidErr.format()).not.toMatch(RAW);
  });

  it('caps the problem list and counts the rest', () => {
    const data = validData();
    for (let i = 0; i < 500; i++) data[`extra${i}`] = i;
    const err = catchError(() => validateManifest(data, SOURCE));
    expect(err.message).toBe('connector.yaml has 500 problems');
    expect(err.problems).toHaveLength(101);
    expect(err.problems[100]!.reason).toBe('… and 400 more problems');
  });
});

describe('parse errors', () => {
  it('reports YAML syntax errors with line and column', () => {
    const err = catchError(() => parseManifestText('apiVersion: gauntlet/v1\nrun: [1\nname: x\n', 'yaml', SOURCE));
    expect(err.code).toBe('GAUNTLET_ERR_MANIFEST_PARSE');
    expect(err.message).toMatch(/line \d+, column \d+/);
  });

  it('explains the unquoted {id} trap in flow mappings', () => {
    const err = catchError(() => parseManifestText('effects:\n  payment.captured: { call: POST /v1/payments/{id}/x, max: 1 }\n', 'yaml', SOURCE));
    expect(err.code).toBe('GAUNTLET_ERR_MANIFEST_PARSE');
    expect(err.message).toMatch(/line 2, column \d+.*quote values/);
  });

  it('rejects duplicate YAML keys and alias bombs', () => {
    expect(catchError(() => parseManifestText('name: a\nname: b\n', 'yaml', SOURCE)).code).toBe('GAUNTLET_ERR_MANIFEST_PARSE');
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 8; i++) bomb.push(`${'b'.repeat(i + 1)}: &${'b'.repeat(i + 1)} [${Array(10).fill(i === 0 ? '*a' : `*${'b'.repeat(i)}`).join(', ')}]`);
    expect(catchError(() => parseManifestText(`${bomb.join('\n')}\n`, 'yaml', SOURCE)).code).toMatch(/^GAUNTLET_ERR_MANIFEST_/);
  });

  it('reports JSON syntax errors', () => {
    const err = catchError(() => parseManifestText('{\n  "apiVersion": "gauntlet/v1",\n  "name": }\n', 'json', SOURCE));
    expect(err.code).toBe('GAUNTLET_ERR_MANIFEST_PARSE');
    expect(err.message).toMatch(/JSON syntax error at line 3/);
  });

  it('treats an empty document as invalid, naming what is expected', () => {
    const err = catchError(() => parseManifestText('# nothing\n', 'yaml', SOURCE));
    expect(err.code).toBe('GAUNTLET_ERR_MANIFEST_INVALID');
    expect(err.problems[0]!.reason).toMatch(/empty/);
  });
});

describe('loadManifest from disk', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'gauntlet-manifest-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads .yaml, .yml, .json and a folder holding connector.yaml', async () => {
    const a = path.join(dir, 'a');
    await mkdir(a);
    await writeFile(path.join(a, 'connector.yaml'), VALID_YAML);
    await writeFile(path.join(a, 'other.yml'), VALID_YAML);
    await writeFile(path.join(a, 'c.json'), JSON.stringify(validData()));
    const m = await loadManifest(path.join(a, 'connector.yaml'));
    expect(m.source).toEqual({ path: path.join(a, 'connector.yaml'), dir: a });
    expect(m.run.cwd).toBe(a);
    expect((await loadManifest(a)).source.path).toBe(path.join(a, 'connector.yaml'));
    expect((await loadManifest(path.join(a, 'other.yml'))).name).toBe('acme-refunds');
    expect((await loadManifest(path.join(a, 'c.json'))).effects).toEqual(m.effects);
  });

  it('throws NOT_FOUND for a missing file or an empty folder', async () => {
    expect((await catchAsync(loadManifest(path.join(dir, 'nope.yaml')))).code).toBe('GAUNTLET_ERR_MANIFEST_NOT_FOUND');
    const empty = path.join(dir, 'empty');
    await mkdir(empty);
    expect((await catchAsync(loadManifest(empty))).code).toBe('GAUNTLET_ERR_MANIFEST_NOT_FOUND');
    expect((await catchAsync(loadManifest(''))).code).toBe('GAUNTLET_ERR_MANIFEST_NOT_FOUND');
  });

  it('throws PARSE for other extensions, bad UTF-8 and oversize files', async () => {
    await writeFile(path.join(dir, 'connector.toml'), 'x = 1');
    expect((await catchAsync(loadManifest(path.join(dir, 'connector.toml')))).code).toBe('GAUNTLET_ERR_MANIFEST_PARSE');
    await writeFile(path.join(dir, 'bad-utf8.yaml'), Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xc3, 0x28]));
    expect((await catchAsync(loadManifest(path.join(dir, 'bad-utf8.yaml')))).message).toMatch(/UTF-8/);
    await writeFile(path.join(dir, 'huge.yaml'), `# ${'x'.repeat(1024 * 1024 + 10)}\n`);
    expect((await catchAsync(loadManifest(path.join(dir, 'huge.yaml')))).message).toMatch(/at most/);
  });

  it('checks that run.cwd and run.dockerfile exist', async () => {
    const b = path.join(dir, 'b');
    await mkdir(b);
    const file = path.join(b, 'connector.yaml');
    await writeFile(file, VALID_YAML.replace('healthPath: /health,', 'healthPath: /health, cwd: ./missing,'));
    const err = await catchAsync(loadManifest(file));
    expect(err.code).toBe('GAUNTLET_ERR_MANIFEST_INVALID');
    expect(reasonAt(err.problems, 'run.cwd')).toMatch(/does not exist/);
    await writeFile(file, VALID_YAML.replace('run: { command: ["node", "server.js"],', 'run: { dockerfile: ./Dockerfile,'));
    expect(reasonAt((await catchAsync(loadManifest(file))).problems, 'run.dockerfile')).toMatch(/does not exist/);
    await writeFile(path.join(b, 'Dockerfile'), 'FROM scratch\n');
    expect((await loadManifest(file)).run.dockerfile).toBe(path.join(b, 'Dockerfile'));
  });

  it('refuses a cwd that escapes the project through a symlink', async () => {
    const c = path.join(dir, 'c');
    const outside = path.join(dir, 'outside');
    await mkdir(c);
    await mkdir(outside);
    await symlink(outside, path.join(c, 'link'));
    const file = path.join(c, 'connector.yaml');
    await writeFile(file, VALID_YAML.replace('healthPath: /health,', 'healthPath: /health, cwd: link,'));
    expect(reasonAt((await catchAsync(loadManifest(file))).problems, 'run.cwd')).toMatch(/symlink/);
    expect((await loadManifest(file, { allowOutsideProject: true })).run.cwd).toBe(path.join(c, 'link'));
  });
});
