// Reads the connector's own variable names (the manifest maps the harness's names onto
// these), so the same build runs under Gauntlet and in production.

export class ConfigError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ConfigError';
  }
}

function requireUrl(env, name) {
  const raw = env[name];
  if (!raw) throw new ConfigError(`${name} is required`);
  let url;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`${name} must be http(s)`);
  return url.href.replace(/\/+$/, '');
}

export function readConfig(env) {
  const secret = env.ACME_WEBHOOK_SECRET;
  // Fail closed (contract section 4, RW-03): a missing secret must never mean "skip verification".
  if (typeof secret !== 'string' || secret.trim() === '') {
    throw new ConfigError('ACME_WEBHOOK_SECRET is required; refusing to start without a webhook secret');
  }
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ConfigError('PORT must be a TCP port number');
  const clientId = env.ACME_CLIENT_ID;
  const clientSecret = env.ACME_CLIENT_SECRET;
  if (!clientId || !clientSecret) throw new ConfigError('ACME_CLIENT_ID and ACME_CLIENT_SECRET are required');
  return {
    port,
    webhookSecret: secret,
    hubUrl: requireUrl(env, 'ACME_API'),
    acquirerUrl: requireUrl(env, 'ACME_ACQUIRER'),
    clientId,
    clientSecret,
    runId: env.ACME_RUN_ID ?? '',
  };
}
