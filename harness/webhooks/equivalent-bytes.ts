import type { SignatureScheme } from '../manifest/types.js';
import type { Delivery } from '../model/delivery.js';
import { newDeliveryId } from './deliveries.js';
import { writeJson, type JsonStyle } from './json-writer.js';
import { signatureHeaders } from './sign.js';

/**
 * Text that breaks connectors which parse and re-serialise before verifying (RW-01, RW-02):
 * a slash, a Latin-1 letter, both JS line separators, an astral emoji and HTML-sensitive characters.
 * Put it in a string field of an event so the escape variants below have something to escape.
 */
export const TRICKY_TEXT = 'a/b caf\u00e9 \u2028 \u2029 \u{1F600} & <b>';

export interface EquivalentBody {
  id: string;
  label: string;
  bytes: Buffer;
}

const reversed = (keys: string[]): string[] => [...keys].reverse();
const sorted = (keys: string[]): string[] => [...keys].sort();
const PRETTY: JsonStyle = { indent: '  ', trailing: '\n' };

interface Variant {
  id: string;
  label: string;
  style: JsonStyle;
}

/** Catalogue of byte spellings; each must decode to the same JSON value as the event. */
export const EQUIVALENT_VARIANTS: readonly Variant[] = [
  { id: 'canonical', label: 'JSON.stringify bytes (baseline)', style: {} },
  { id: 'rw01-pretty', label: '2-space indentation, trailing newline', style: PRETTY },
  { id: 'rw01-reversed-keys', label: 'object keys in reverse order', style: { keyOrder: reversed } },
  { id: 'rw01-sorted-keys', label: 'object keys sorted', style: { keyOrder: sorted } },
  { id: 'rw01-escaped-slash', label: '`/` written as `\\/`', style: { escapeSlash: true } },
  { id: 'rw01-escaped-non-ascii', label: 'non-ASCII as `\\uXXXX` (é as \\u00e9)', style: { escape: (cp) => cp > 0x7e } },
  {
    id: 'rw01-combined',
    label: 'RW-01: 2-space indentation, unsorted keys, `\\/` and `\\u00e9` escapes, trailing newline',
    style: { ...PRETTY, keyOrder: reversed, escapeSlash: true, escape: (cp) => cp > 0x7e && cp <= 0xff },
  },
  { id: 'rw02-escaped-separators', label: 'U+2028/U+2029 as `\\u2028`/`\\u2029`', style: { escape: (cp) => cp === 0x2028 || cp === 0x2029 } },
  { id: 'rw02-escaped-astral', label: 'astral characters as surrogate-pair escapes', style: { escape: (cp) => cp > 0xffff } },
  { id: 'rw02-html-escapes', label: '`&`, `<`, `>` as `\\u0026`, `\\u003c`, `\\u003e`', style: { escape: (cp) => cp === 0x26 || cp === 0x3c || cp === 0x3e } },
  { id: 'escape-every-char', label: 'every string character as `\\uXXXX`', style: { escape: () => true } },
  { id: 'number-decimal', label: 'integers spelled `1999.0`', style: { integerForm: 'decimal' } },
  { id: 'number-exponent', label: 'integers spelled `1999e0`', style: { integerForm: 'exponent' } },
  {
    id: 'whitespace-crlf-tabs',
    label: 'tab indentation, CRLF, spaces around `:`, leading and trailing whitespace',
    style: { indent: '\t', newline: '\r\n', colon: ' : ', leading: ' \r\n', trailing: '\r\n\t ' },
  },
];

function normalise(event: unknown): unknown {
  return JSON.parse(JSON.stringify(event));
}

/**
 * Byte spellings of `event` that decode to the same JSON value; signed over their own bytes a
 * connector must accept every one. Variants that would equal the canonical bytes (nothing to
 * escape) are left out, so each entry is a distinct test.
 *
 * @example
 * for (const b of equivalentBodies(event)) await sender.send(buildDelivery({ scheme, secret, body: b.bytes, label: b.label }));
 */
export function equivalentBodies(event: unknown): EquivalentBody[] {
  const value = normalise(event);
  const canonical = JSON.stringify(value);
  const out: EquivalentBody[] = [];
  for (const v of EQUIVALENT_VARIANTS) {
    const text = writeJson(value, v.style);
    if (v.id !== 'canonical' && text === canonical) continue;
    out.push({ id: v.id, label: v.label, bytes: Buffer.from(text, 'utf8') });
  }
  return out;
}

export interface ForgeryInput {
  scheme: SignatureScheme;
  secret: string;
  event: unknown;
  /** Unix seconds (fresh, so only the body mismatch can reject it). */
  timestamp: number;
  deliveryId?: string;
  eventType?: string;
}

/**
 * RW-01's second half: the minified bytes of the event carrying the signature computed over its
 * pretty-printed bytes. A connector that verifies a re-serialisation instead of the raw bytes
 * accepts it; a correct one rejects it.
 */
export function reserializedForgery(input: ForgeryInput): Delivery {
  const value = normalise(input.event);
  const pretty = Buffer.from(writeJson(value, PRETTY), 'utf8');
  const minified = Buffer.from(JSON.stringify(value), 'utf8');
  const deliveryId = input.deliveryId ?? newDeliveryId();
  const env = value as { id?: unknown; type?: unknown } | null;
  const eventType = input.eventType ?? (typeof env?.type === 'string' ? env.type : undefined);
  const headers = signatureHeaders({
    scheme: input.scheme,
    secret: input.secret,
    deliveryId,
    timestamp: input.timestamp,
    body: pretty,
    eventType,
  });
  const d: Delivery = { deliveryId, body: minified, headers, label: 'minified body with the signature of its pretty-printed bytes' };
  if (typeof env?.id === 'string') d.eventId = env.id;
  if (eventType !== undefined) d.eventType = eventType;
  return d;
}
