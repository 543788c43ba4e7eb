import type { CheckOutcome } from '../harness/model/control.js';
import { isAccepted, isRejected4xx, type DeliveryOutcome } from '../harness/model/delivery.js';
import type { EventEnvelope, ScenarioContext } from '../harness/runner/context.js';
import { describeEntry } from '../harness/runner/effects-oracle.js';
import { defineScenario } from '../harness/runner/scenario.js';
import { describeOutcome, probeValidEvent, rawDelivery, type Case } from './lib/expect.js';

const NESTING = 10_000;

function withObject(ev: EventEnvelope, patch: (o: Record<string, unknown>) => void): EventEnvelope {
  const copy = JSON.parse(JSON.stringify(ev)) as EventEnvelope;
  patch(copy.data.object as Record<string, unknown>);
  return copy;
}

/** The malformed inputs of RW-09 and contract clause 6, simplest first. */
function malformedCases(ctx: ScenarioContext): Case[] {
  const cases: Case[] = [];
  const json = { 'content-type': 'application/json' };
  // Unsigned garbage: must be rejected before parsing.
  cases.push({ delivery: rawDelivery(ctx, '', 'unsigned empty body', json), expect: 'reject' });
  cases.push({ delivery: rawDelivery(ctx, '{"id":"evt_', 'unsigned truncated JSON', json), expect: 'reject' });
  cases.push({ delivery: rawDelivery(ctx, Buffer.from([0xc3, 0x28]), 'unsigned invalid UTF-8 bytes C3 28', json), expect: 'reject' });
  // Signed malformed bodies: the signature is valid over these exact bytes.
  const signed = (body: Buffer | string, label: string, expect: Case['expect'] = 'reject', headers?: Record<string, string>): Case => {
    const d = ctx.sign(body, { label });
    if (headers) d.headers = { ...d.headers, ...headers };
    return { delivery: d, expect };
  };
  cases.push(signed('', 'signed empty body'));
  cases.push(signed('   \n\t ', 'signed whitespace-only body'));
  cases.push(signed('{"id":"evt_', 'signed truncated JSON'));
  cases.push(signed(Buffer.from([0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]), 'signed invalid UTF-8 inside a string ({"id":"\\xC3("})'));
  cases.push(signed('[]', 'signed top-level array', 'no-effect'));
  cases.push(signed('null', 'signed JSON null', 'no-effect'));
  cases.push(signed('['.repeat(NESTING) + ']'.repeat(NESTING), `signed ${NESTING} nested arrays`, 'no-effect'));
  cases.push(signed('a=1&b=2', 'signed form-encoded body with content-type text/plain', 'reject', { 'content-type': 'text/plain' }));
  // Type confusion and prototype keys on an otherwise valid envelope: no effect may follow.
  const typed = (label: string, make: (ev: EventEnvelope) => EventEnvelope | string): Case => {
    const ev = ctx.event();
    const body = make(ev);
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return { delivery: ctx.sign(text, { label, event: ev }), event: ev, expect: 'no-effect' };
  };
  cases.push(typed('amount as a string', (ev) => withObject(ev, (o) => { o.amount = String(o.amount); })));
  cases.push(typed('amount as an object', (ev) => withObject(ev, (o) => { o.amount = { value: o.amount }; })));
  cases.push(typed('amount negative', (ev) => withObject(ev, (o) => { o.amount = -Number(o.amount); })));
  cases.push(typed('currency as a number', (ev) => withObject(ev, (o) => { o.currency = 978; })));
  cases.push(typed('data.object as an array', (ev) => ({ ...ev, data: { object: [ev.data.object] } }) as unknown as EventEnvelope));
  cases.push(typed('event id as a number', (ev) => ({ ...ev, id: 12345 }) as unknown as EventEnvelope));
  cases.push(typed('amount only under __proto__', (ev) => {
    const o = { ...(ev.data.object as Record<string, unknown>) };
    const amount = o.amount;
    delete o.amount;
    const inner = JSON.stringify(o).slice(1, -1);
    return JSON.stringify({ ...ev, data: { object: '__OBJ__' } }).replace('"__OBJ__"', `{"__proto__":{"amount":${JSON.stringify(amount)}},${inner}}`);
  }));
  cases.push(typed('amount only under constructor.prototype', (ev) => {
    const o = { ...(ev.data.object as Record<string, unknown>) };
    const amount = o.amount;
    delete o.amount;
    const inner = JSON.stringify(o).slice(1, -1);
    return JSON.stringify({ ...ev, data: { object: '__OBJ__' } }).replace('"__OBJ__"', `{"constructor":{"prototype":{"amount":${JSON.stringify(amount)}}},${inner}}`);
  }));
  return cases;
}

/** Clause 6: malformed bodies. */
export const malformedBodies = defineScenario({
  id: 'malformed-bodies',
  parallel: true,
  title: 'Malformed bodies get 4xx with no effect, and the connector keeps processing',
  pack: 'malformed',
  clauses: [6],
  controls: ['malformed-rejected-4xx', 'malformed-no-effect', 'malformed-stays-healthy'],
  sends: `Unsigned and validly signed malformed bodies (RW-09): empty, whitespace, truncated JSON, invalid UTF-8, a top-level array, ${NESTING} nested arrays, a wrong content type, type confusion in critical fields, __proto__ and constructor.prototype keys; then one valid event.`,
  expects: 'Never a 5xx; unparseable or unsigned input 4xx; no effect from any of them; the process stays up and the next valid event is acknowledged and processed.',
  timeLimitMs: 60_000,
  async run(ctx) {
    const cases = malformedCases(ctx);
    const outcomes: DeliveryOutcome[] = [];
    for (const c of cases) outcomes.push(await ctx.deliver(c.delivery));
    await ctx.settle({ quietMs: 150 });
    cases.forEach((c, i) => {
      if (c.event) ctx.deferNoEffect('malformed-no-effect', c.event, c.delivery, outcomes[i]);
    });
    const statusProblems: Array<{ c: Case; why: string; i: number }> = [];
    const effectProblems: Array<{ c: Case; why: string; i: number }> = [];
    cases.forEach((c, i) => {
      const o = outcomes[i]!;
      if (o.status === null || o.status >= 500) statusProblems.push({ c, i, why: describeOutcome(o) });
      else if (c.expect === 'reject' && !isRejected4xx(o)) statusProblems.push({ c, i, why: `expected 4xx, got ${describeOutcome(o)}` });
      else if (c.expect === 'no-effect' && !isRejected4xx(o) && !isAccepted(o)) statusProblems.push({ c, i, why: `expected 4xx or 2xx, got ${describeOutcome(o)}` });
      const attempts = c.event ? ctx.attemptsFor(c.event.id) : [];
      if (attempts.length > 0) effectProblems.push({ c, i, why: `caused ${attempts.map(describeEntry).join('; ')}` });
    });
    const result: CheckOutcome[] = [];
    const fold = (control: string, problems: typeof statusProblems, what: string) => {
      if (problems.length === 0) return ctx.pass(control, `${cases.length}/${cases.length} malformed inputs ${what}`);
      const p = problems[0]!;
      return ctx.fail(control, `${problems.length}/${cases.length} malformed inputs unsafe; first: "${p.c.delivery.label}" → ${p.why}`, {
        delivery: p.c.delivery,
        outcome: outcomes[p.i]!,
        details: { failedCases: problems.slice(0, 12).map((x) => `${x.c.delivery.label}: ${x.why}`) },
      });
    };
    result.push(fold('malformed-rejected-4xx', statusProblems, 'answered without 5xx'));
    result.push(fold('malformed-no-effect', effectProblems, 'caused no effect'));
    const alive = await ctx.connector().checkHealth(2_000);
    const probe = await probeValidEvent(ctx, 'valid event after malformed input');
    if (!alive || !probe.ok) {
      const exit = ctx.connector().exitInfo();
      result.push(ctx.fail('malformed-stays-healthy', `${!alive ? `connector unhealthy after malformed input${exit ? ` (exited code=${exit.code} signal=${exit.signal})` : ''}; ` : ''}${probe.why}`, { delivery: probe.delivery, outcome: probe.outcome }));
    } else result.push(ctx.pass('malformed-stays-healthy', 'still healthy; next valid event acknowledged and processed'));
    return result;
  },
});

const HUGE_MIB = 30;

/** RW-08: a huge body must be refused without buffering it whole. */
export const oversizedBody = defineScenario({
  id: 'oversized-body',
  parallel: true,
  title: `A ${HUGE_MIB} MiB body is refused and the connector stays up`,
  pack: 'malformed',
  clauses: [6],
  controls: ['oversized-body-rejected'],
  sends: `A validly signed ${HUGE_MIB} MiB event body (an additive padding field), then one valid event.`,
  expects: '4xx (413) or the connection closed early, never 2xx or 5xx; no effect; healthy afterwards.',
  timeLimitMs: 60_000,
  async run(ctx) {
    const ev = ctx.event();
    const head = JSON.stringify({ ...ev, metadata: { padding: '' } });
    const body = Buffer.concat([Buffer.from(head.slice(0, -3)), Buffer.alloc(HUGE_MIB * 1024 * 1024, 0x78), Buffer.from(head.slice(-3))]);
    const d = ctx.sign(body, { label: `signed ${HUGE_MIB} MiB body`, event: ev });
    const o = await ctx.deliver(d, { timeoutMs: 20_000 });
    await ctx.settle({ quietMs: 150 });
    ctx.deferNoEffect('oversized-body-rejected', ev, d, o);
    const attempts = ctx.attemptsFor(ev.id);
    // Closing the connection before reading the whole body is an acceptable refusal.
    const refusedEarly = o.status === null && (o.error?.kind === 'connection-reset' || o.error?.kind === 'protocol-error');
    const alive = await ctx.connector().checkHealth(2_000);
    if (attempts.length > 0) return [ctx.fail('oversized-body-rejected', `${HUGE_MIB} MiB body caused ${attempts.map(describeEntry).join('; ')}`, { delivery: d, outcome: o })];
    if (!(isRejected4xx(o) || refusedEarly)) return [ctx.fail('oversized-body-rejected', `${HUGE_MIB} MiB body got ${describeOutcome(o)}, expected 413`, { delivery: d, outcome: o })];
    if (!alive) return [ctx.fail('oversized-body-rejected', `connector unhealthy after a ${HUGE_MIB} MiB body`, { delivery: d, outcome: o })];
    return [ctx.pass('oversized-body-rejected', `${HUGE_MIB} MiB body refused (${describeOutcome(o)}), connector healthy`)];
  },
});
