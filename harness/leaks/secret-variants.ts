/**
 * The renderings of a secret a connector might leak: raw, and as it looks inside base64,
 * base64url, hex, URL- and JSON-escaped text. For `whsec_` secrets also the base64 key
 * alone and the decoded key bytes (what standard-webhooks libraries actually hold).
 *
 * Base64 is position-dependent: a secret inside a larger encoded blob (a Basic auth header,
 * a base64 JSON dump) is encoded differently for each of the 3 byte alignments. For each
 * alignment we keep only the characters determined by the secret's bytes alone, so the
 * needle matches whatever surrounds the secret.
 */
import type { SecretNeedle } from './types.js';

/** Below this a secret (or an encoded core) would match ordinary text (harness/leaks/README.md). */
export const MIN_SECRET_NEEDLE = 8;

export function secretVariants(name: string, value: string): Array<{ text: string; value: SecretNeedle }> {
  const out = new Map<string, SecretNeedle>();
  const add = (text: string, encoding: string) => {
    if (text.length >= MIN_SECRET_NEEDLE && !out.has(text)) out.set(text, { name, encoding });
  };
  if (value.length < MIN_SECRET_NEEDLE) {
    // Too short to search for every encoding without flagging noise; raw only, and only from 4 chars.
    if (value.length >= 4) out.set(value, { name, encoding: 'raw' });
    return [...out].map(([text, v]) => ({ text, value: v }));
  }
  add(value, 'raw');
  add(JSON.stringify(value).slice(1, -1), 'json');
  add(value.replace(/\//g, '\\/'), 'json');
  add(encodeURIComponent(value), 'url');
  addBinary(Buffer.from(value, 'utf8'), '', add);
  // A secret inside an encoded JSON document is encoded in its escaped form.
  const escaped = JSON.stringify(value).slice(1, -1);
  if (escaped !== value) addBinary(Buffer.from(escaped, 'utf8'), 'json-', add);
  const whsec = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(value);
  if (whsec) {
    add(whsec[1]!, 'whsec-key-base64');
    add(encodeURIComponent(whsec[1]!), 'whsec-key-url');
    const key = Buffer.from(whsec[1]!, 'base64');
    if (key.length >= 6) addBinary(key, 'whsec-key-', add);
  }
  return [...out].map(([text, v]) => ({ text, value: v }));
}

function addBinary(bytes: Buffer, prefix: string, add: (text: string, encoding: string) => void): void {
  add(bytes.toString('hex'), `${prefix}hex`);
  add(bytes.toString('hex').toUpperCase(), `${prefix}hex`);
  for (let align = 0; align < 3; align++) {
    const core = base64Core(bytes, align);
    add(core, `${prefix}base64`);
    add(core.replace(/\+/g, '-').replace(/\//g, '_'), `${prefix}base64url`);
  }
}

/** The base64 characters fixed by `bytes` alone when preceded by `align` unknown bytes. */
export function base64Core(bytes: Buffer, align: number): string {
  const b64 = Buffer.concat([Buffer.alloc(align), bytes]).toString('base64');
  const from = Math.ceil((8 * align) / 6);
  const to = Math.floor((8 * (align + bytes.length)) / 6);
  return b64.slice(from, to);
}
