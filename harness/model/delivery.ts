/** What the harness sends to a connector's webhook endpoint, and what came back. */
export interface Delivery {
  /** Delivery id (standard-webhooks `webhook-id`, github `X-GitHub-Delivery`). */
  deliveryId: string;
  /** Event id inside the body (`evt_…`), when the body is a well-formed envelope. */
  eventId?: string;
  eventType?: string;
  /** Exact bytes sent. */
  body: Buffer;
  /** Exact headers sent (signature headers included). */
  headers: Record<string, string>;
  /** Human label for reports: "stale timestamp (now-301s)". */
  label: string;
}

export type DeliveryErrorKind =
  | 'timeout'
  | 'connection-refused'
  | 'connection-reset'
  | 'response-too-large'
  | 'headers-too-large'
  | 'protocol-error'
  | 'aborted'
  | 'other';

export interface DeliveryOutcome {
  /** HTTP status, or null when no valid response arrived. */
  status: number | null;
  headers: Record<string, string>;
  /** Response body as text, capped; `bodyTruncated` tells if the cap was hit. */
  body: string;
  bodyTruncated: boolean;
  /** Time from request start to full response (or error). */
  durationMs: number;
  error?: { kind: DeliveryErrorKind; message: string };
}

/**
 * 2xx and the whole answer arrived. A status line followed by a body that never ends or
 * exceeds the sender's cap is no acknowledgement: the exchange failed, and a hub retries it.
 */
export function isAccepted(o: DeliveryOutcome): boolean {
  return o.status !== null && o.status >= 200 && o.status < 300 && o.error === undefined;
}

export function isRejected4xx(o: DeliveryOutcome): boolean {
  return o.status !== null && o.status >= 400 && o.status < 500;
}
