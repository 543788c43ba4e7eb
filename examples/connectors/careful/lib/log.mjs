// Structured one-line logs. Callers pass only ids, types and outcomes: this module
// never receives bodies, headers, tokens or secrets, so it cannot leak them.
const ALLOWED = new Set(['event_id', 'event_type', 'outcome', 'reason', 'status', 'attempt', 'delay_ms', 'target', 'route', 'error', 'port', 'queued', 'in_flight']);

export function createLogger({ runId = '', stream = process.stdout } = {}) {
  function write(level, msg, fields = {}) {
    const line = { ts: new Date().toISOString(), level, msg };
    if (runId) line.run = runId;
    for (const [key, value] of Object.entries(fields)) {
      // A whitelist, not a blacklist: a field added by mistake is dropped, not printed.
      if (ALLOWED.has(key) && value !== undefined) line[key] = typeof value === 'string' ? value.slice(0, 200) : value;
    }
    stream.write(`${JSON.stringify(line)}\n`);
  }
  return {
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
  };
}

/** A short, secret-free description of a failure (error names and codes only, never messages with URLs or bodies). */
export function describeError(err) {
  if (!err || typeof err !== 'object') return 'unknown';
  const code = err.cause && typeof err.cause === 'object' && 'code' in err.cause ? String(err.cause.code) : undefined;
  return code ? `${err.name}:${code}` : String(err.name ?? 'Error');
}
