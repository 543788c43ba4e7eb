import { describe, expect, it } from 'vitest';
import { Multiplexer } from '../../reports/multiplexer.js';
import type { Reporter } from '../../reports/reporter.js';
import { Redactor } from '../../harness/redact.js';
import type { RunReport, ScenarioResult } from '../../harness/model/report.js';
import { FIXTURE_SECRETS, TOKEN, fullReport } from './report-fixture.js';

const begin = { runId: 'r1', connector: { name: 'c', version: '1' }, tier: 'high' as const, seed: 1, scenarios: [{ id: 's1', title: 'S1', pack: 'p' }] };
const scenario = (id: string, reason = ''): ScenarioResult => ({ id, title: id, pack: 'p', clauses: [1], status: 'passed', durationMs: 1, reason, deliveries: 0, outcomes: [] });

function recorder(): Reporter & { events: string[] } {
  const events: string[] = [];
  return {
    events,
    onBegin: (i) => void events.push(`begin:${i.runId}`),
    onScenarioBegin: (s) => void events.push(`sbegin:${s.id}`),
    onScenarioEnd: (r) => void events.push(`send:${r.id}:${r.reason ?? ''}`),
    onEnd: (r) => void events.push(`end:${r.verdict}`),
    onError: (e) => void events.push(`error:${e instanceof Error ? e.message : String(e)}`),
  };
}

describe('Multiplexer', () => {
  it('disables a throwing reporter after logging it once, and keeps feeding the others', async () => {
    const log: string[] = [];
    const good = recorder();
    let calls = 0;
    const bad: Reporter = {
      name: 'flaky',
      onScenarioEnd: () => {
        calls++;
        throw new Error('disk \u001b[31mfull');
      },
    };
    const rejecting: Reporter = { name: 'async-bad', onBegin: async () => Promise.reject(new Error('nope')) };
    const m = new Multiplexer([bad, rejecting, good], { log: { write: (s: string) => log.push(s) } });
    await m.onBegin(begin);
    await m.onScenarioEnd(scenario('a'));
    await m.onScenarioEnd(scenario('b'));
    await m.onEnd(fullReport() as RunReport);
    expect(calls).toBe(1);
    expect(log).toHaveLength(2);
    expect(log.join('')).toContain('reporter "flaky" failed in onScenarioEnd: disk \\x1b[31mfull');
    expect(log.join('')).toContain('reporter "async-bad" failed in onBegin: nope');
    expect(log.join('')).not.toContain('\u001b');
    expect(m.active).toEqual(['#3']);
    expect(good.events).toEqual(['begin:r1', 'send:a:', 'send:b:', 'end:rejected']);
  });

  it('keeps each reporter’s events in order even when hooks are async and not awaited by the caller', async () => {
    const seen: string[] = [];
    const slow: Reporter = {
      onScenarioEnd: async (r) => {
        await new Promise((res) => setTimeout(res, r.id === 'a' ? 20 : 0));
        seen.push(r.id);
      },
      onEnd: () => void seen.push('end'),
    };
    const m = new Multiplexer([slow], { log: { write: () => true } });
    void m.onScenarioEnd(scenario('a'));
    void m.onScenarioEnd(scenario('b'));
    await m.onEnd(fullReport() as RunReport);
    expect(seen).toEqual(['a', 'b', 'end']);
  });

  it('redacts every payload, errors included, before any reporter sees it', async () => {
    const r = recorder();
    const m = new Multiplexer([r], { redactor: new Redactor(FIXTURE_SECRETS), log: { write: () => true } });
    await m.onScenarioEnd(scenario('a', `token ${TOKEN}`));
    await m.onError(new Error(`failed with ${TOKEN}`));
    await m.onError(`thrown string ${TOKEN}`);
    expect(r.events.join('\n')).not.toContain(TOKEN);
    expect(r.events).toEqual(['send:a:token [REDACTED:bearer-token]', 'error:failed with [REDACTED:bearer-token]', 'error:thrown string [REDACTED:bearer-token]']);
  });
});
