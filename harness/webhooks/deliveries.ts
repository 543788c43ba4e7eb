import { randomBytes } from 'node:crypto';
import type { SignatureScheme } from '../manifest/types.js';
import type { Delivery } from '../model/delivery.js';
import { signatureHeaders } from './sign.js';

export interface BuildDeliveryInput {
  scheme: SignatureScheme;
  secret: string;
  secrets?: string[];
  /** Objects are serialised with JSON.stringify; strings are UTF-8 encoded; Buffers are sent as is. */
  body: Buffer | string | object;
  deliveryId?: string;
  /** Unix seconds (default: now). */
  timestamp?: number | string;
  label: string;
  eventId?: string;
  eventType?: string;
}

export function newDeliveryId(): string {
  return `msg_${randomBytes(12).toString('base64url')}`;
}

export function toBodyBytes(body: Buffer | string | object): Buffer {
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  return Buffer.from(JSON.stringify(body), 'utf8');
}

/**
 * A signed delivery ready for `WebhookSender.send`. Event id/type are read from an object body when not given.
 *
 * @example
 * const d = buildDelivery({ scheme: 'standard-webhooks', secret, body: event, label: 'valid refund.requested' });
 * await sender.send(d);
 */
export function buildDelivery(input: BuildDeliveryInput): Delivery {
  const body = toBodyBytes(input.body);
  const deliveryId = input.deliveryId ?? newDeliveryId();
  const timestamp = input.timestamp ?? Math.floor(Date.now() / 1000);
  const env = !Buffer.isBuffer(input.body) && typeof input.body === 'object' ? (input.body as Record<string, unknown>) : undefined;
  const eventId = input.eventId ?? (typeof env?.id === 'string' ? env.id : undefined);
  const eventType = input.eventType ?? (typeof env?.type === 'string' ? env.type : undefined);
  const headers = signatureHeaders({
    scheme: input.scheme,
    secret: input.secret,
    secrets: input.secrets,
    deliveryId,
    timestamp,
    body,
    eventType,
  });
  const d: Delivery = { deliveryId, body, headers, label: input.label };
  if (eventId !== undefined) d.eventId = eventId;
  if (eventType !== undefined) d.eventType = eventType;
  return d;
}
