import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRelayPreamble, relayPreamble } from '../../../../harness/sandbox/containers/protocol.js';
import { pidAlive } from '../../../../harness/sandbox/containers/cleanup.js';
import { runLabels } from '../../../../harness/sandbox/containers/labels.js';
import { imageFor } from '../../../../harness/sandbox/containers/images.js';

describe('relay preamble', () => {
  it('round-trips any valid token and target', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_-]{16,64}$/), fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/), fc.integer({ min: 1, max: 65535 }), (token, host, port) => {
        const line = relayPreamble(token, `${host}:${port}`).slice(0, -1);
        expect(parseRelayPreamble(line)).toEqual({ token, target: `${host}:${port}` });
      }),
      { numRuns: 200 },
    );
  });

  it('refuses short tokens, spaces, and targets that are not alias:port', () => {
    expect(parseRelayPreamble('GAUNTLET-RELAY short connector-1:8080')).toBeUndefined();
    expect(parseRelayPreamble(`GAUNTLET-RELAY ${'a'.repeat(20)} connector-1`)).toBeUndefined();
    expect(parseRelayPreamble(`GAUNTLET-RELAY ${'a'.repeat(20)} http://x:1`)).toBeUndefined();
    expect(parseRelayPreamble(`GAUNTLET-RELAY ${'a'.repeat(20)} a:1 extra`)).toBeUndefined();
  });
});

describe('labels and leftovers', () => {
  it('labels name run, pid, host and role', () => {
    expect(runLabels('run_x', 'connector', 'box', 42)).toEqual({ 'gauntlet.run-id': 'run_x', 'gauntlet.pid': '42', 'gauntlet.host': 'box', 'gauntlet.role': 'connector' });
  });

  it('pidAlive: this process is alive, a non-pid is not', () => {
    expect(pidAlive(process.pid)).toBe(true);
    expect(pidAlive(0)).toBe(false);
    expect(pidAlive(-5)).toBe(false);
    expect(pidAlive(2 ** 22 + 12345)).toBe(false);
  });

  it('image names come from the environment, else upstream defaults', () => {
    expect(imageFor('redis', {})).toBe('redis:7-alpine');
    expect(imageFor('postgres', { GAUNTLET_IMAGE_POSTGRES: ' gauntlet-base/postgres:15 ' })).toBe('gauntlet-base/postgres:15');
    expect(imageFor('sandboxBase', { GAUNTLET_SANDBOX_BASE_IMAGE: '' })).toBe('gauntlet-base/node:20');
  });
});
