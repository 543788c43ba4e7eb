/**
 * Deterministic objects for GET routes: any well-formed id reads back the same
 * object every time, so connectors can look up whatever the events mention.
 */
import { createHash } from 'node:crypto';

const CURRENCIES = ['EUR', 'USD', 'GBP', 'JPY', 'KWD'] as const;
const ID_SHAPE = /^[A-Za-z0-9]{1,64}$/;

/** True for `<prefix>_<1-64 alphanumerics>`. */
export function isWellFormedId(id: string, prefix: string): boolean {
  return id.startsWith(`${prefix}_`) && ID_SHAPE.test(id.slice(prefix.length + 1));
}

function digest(id: string): Buffer {
  return createHash('sha256').update(id).digest();
}

export function synthesizePayment(id: string, created: number): Record<string, unknown> {
  const d = digest(id);
  return {
    id,
    object: 'payment',
    amount: 100 + (d.readUInt32BE(0) % 99_900),
    currency: CURRENCIES[(d[4] as number) % CURRENCIES.length],
    status: 'captured',
    customer: `cus_${d.subarray(5, 13).toString('hex')}`,
    created: Math.floor(created / 1000),
  };
}

export function synthesizeCustomer(id: string, created: number): Record<string, unknown> {
  const d = digest(id).toString('hex');
  return {
    id,
    object: 'customer',
    name: `Customer ${d.slice(0, 6)}`,
    email: `c${d.slice(0, 10)}@example.test`,
    created: Math.floor(created / 1000),
  };
}

/** Ids for created objects: reproducible per seed, unique per call. */
export function createIdFactory(seed: number | undefined): (prefix: string) => string {
  let n = 0;
  const salt = seed === undefined ? createHash('sha256').update(String(Math.random())).digest('hex') : `seed:${seed}`;
  return (prefix) => `${prefix}_${createHash('sha256').update(`${salt}:${prefix}:${++n}`).digest('hex').slice(0, 20)}`;
}
