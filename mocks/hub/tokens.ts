/**
 * OAuth2 client-credential tokens for the hub mock: opaque, short-lived, scoped,
 * revocable. The ledger only ever sees a token's id, never the token.
 */
import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';

export interface IssuedToken {
  /** Opaque id for the ledger (`tkn_<n>`). */
  id: string;
  token: string;
  clientId: string;
  scopes: string[];
  expiresAt: number;
  revoked: boolean;
}

export type TokenCheck =
  | { ok: true; token: IssuedToken }
  | { ok: false; reason: 'missing' | 'malformed' | 'unknown' | 'expired' | 'revoked'; token?: IssuedToken };

export class TokenStore {
  private readonly byToken = new Map<string, IssuedToken>();
  private readonly revokedClients = new Set<string>();
  private seq = 0;

  constructor(private readonly now: () => number) {}

  issue(clientId: string, scopes: string[], ttlSeconds: number): IssuedToken {
    const token: IssuedToken = {
      id: `tkn_${++this.seq}`,
      token: `gat_${randomBytes(32).toString('base64url')}`,
      clientId,
      scopes,
      expiresAt: this.now() + ttlSeconds * 1000,
      revoked: false,
    };
    this.byToken.set(token.token, token);
    return token;
  }

  /** Look a bearer token up without side effects. */
  find(authorization: string | null): IssuedToken | undefined {
    const bearer = parseBearer(authorization);
    return bearer ? this.byToken.get(bearer) : undefined;
  }

  check(authorization: string | null): TokenCheck {
    if (authorization === null || authorization.trim() === '') return { ok: false, reason: 'missing' };
    const bearer = parseBearer(authorization);
    if (!bearer) return { ok: false, reason: 'malformed' };
    const token = this.byToken.get(bearer);
    if (!token) return { ok: false, reason: 'unknown' };
    if (token.revoked || this.revokedClients.has(token.clientId)) return { ok: false, reason: 'revoked', token };
    if (this.now() >= token.expiresAt) return { ok: false, reason: 'expired', token };
    return { ok: true, token };
  }

  revokeClient(clientId: string): void {
    this.revokedClients.add(clientId);
    for (const t of this.byToken.values()) if (t.clientId === clientId) t.revoked = true;
  }

  restoreClient(clientId: string): void {
    // Old tokens stay dead: recovery needs fresh credentials/tokens.
    this.revokedClients.delete(clientId);
  }

  isClientRevoked(clientId: string): boolean {
    return this.revokedClients.has(clientId);
  }

  revokeAll(): void {
    for (const t of this.byToken.values()) t.revoked = true;
  }

  all(): string[] {
    return [...this.byToken.keys()];
  }
}

function parseBearer(header: string | null): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(header);
  return m ? m[1] : undefined;
}

/** Constant-time comparison of secrets of any length. */
export function secretEquals(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

/** Client credentials from HTTP Basic (RFC 6749 2.3.1: form-urlencoded parts) or form fields. */
export function readClientCredentials(
  authorization: string | null,
  params: Record<string, unknown> | undefined,
): { clientId: string; clientSecret: string } | undefined {
  if (authorization && /^Basic\s+/i.test(authorization)) {
    const decoded = Buffer.from(authorization.replace(/^Basic\s+/i, '').trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1) return undefined;
    return { clientId: formDecode(decoded.slice(0, colon)), clientSecret: formDecode(decoded.slice(colon + 1)) };
  }
  const id = params?.['client_id'];
  const secret = params?.['client_secret'];
  if (typeof id === 'string' && typeof secret === 'string') return { clientId: id, clientSecret: secret };
  return undefined;
}

function formDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}
