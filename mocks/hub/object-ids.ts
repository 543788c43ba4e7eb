/**
 * Object ids a call mentions, for attributing it to the event that caused it.
 * Path ids come first: they name the object the call acts on.
 */
const ID_PATTERN = /(?<![A-Za-z0-9_])(?:pay|re|po|cus|dp|evt|ch)_[A-Za-z0-9]+/g;
/** Bounds the walk over a hostile body. */
const MAX_DEPTH = 32;
const MAX_IDS = 64;

export function findObjectIds(path: string, body: unknown): string[] {
  const seen = new Set<string>();
  const add = (text: string) => {
    // Every id has an underscore: most strings can skip the regex.
    if (text.indexOf('_') === -1) return;
    for (const m of text.matchAll(ID_PATTERN)) {
      if (seen.size >= MAX_IDS) return;
      seen.add(m[0]);
    }
  };
  add(path);
  walk(body, 0, add);
  return [...seen];
}

function walk(value: unknown, depth: number, add: (s: string) => void): void {
  if (depth > MAX_DEPTH) return;
  if (typeof value === 'string') add(value);
  else if (Array.isArray(value)) for (const v of value) walk(v, depth + 1, add);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) walk(v, depth + 1, add);
}
