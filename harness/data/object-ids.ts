/**
 * Finding hub object ids inside an event, for ledger attribution. The event may be hostile
 * (mutated on purpose by drift and malformed-body scenarios), so the walk is bounded in depth
 * and node count and tolerates any shape.
 */
const OBJECT_ID = /^(?:pay|re|po|cus|dp|evt)_[A-Za-z0-9]{1,64}$/;
const MAX_DEPTH = 8;
const MAX_NODES = 2_000;

/**
 * Every `pay_`/`re_`/`po_`/`cus_`/`dp_`/`evt_` id inside `data.object`, `data.object.id` first,
 * without duplicates.
 * @example objectIdsOf(event) // ['re_…', 'pay_…', 'cus_…']
 */
export function objectIdsOf(event: unknown): string[] {
  const object = (isRecord(event) && isRecord(event['data']) ? event['data']['object'] : undefined) as unknown;
  if (!isRecord(object)) return [];
  const ids: string[] = [];
  const seen = new Set<string>();
  const add = (v: unknown) => {
    if (typeof v === 'string' && OBJECT_ID.test(v) && !seen.has(v)) {
      seen.add(v);
      ids.push(v);
    }
  };
  add(object['id']);
  let nodes = 0;
  const walk = (v: unknown, depth: number): void => {
    if (++nodes > MAX_NODES || depth > MAX_DEPTH) return;
    if (typeof v === 'string') return add(v);
    if (Array.isArray(v)) {
      for (const x of v) walk(x, depth + 1);
    } else if (isRecord(v)) {
      for (const k of Object.keys(v)) walk(v[k], depth + 1);
    }
  };
  walk(object, 0);
  return ids;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
