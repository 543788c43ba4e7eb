/**
 * JSON answers for the mocks. `HttpResponse.json` costs a Blob (for Content-Length)
 * and a body stream per call; a `TextBodyResponse` keeps the text as text and the
 * mock server sets Content-Length when it writes it.
 */
import { TextBodyResponse } from '../serve-handlers.js';

export function jsonResponse(body: unknown, init: { status?: number; headers?: Record<string, string> } = {}): Response {
  return new TextBodyResponse(JSON.stringify(body), {
    status: init.status ?? 200,
    headers: { 'Content-Type': 'application/json', ...init.headers },
  });
}
