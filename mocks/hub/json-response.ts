/**
 * `HttpResponse.json` without its `new Blob(...)` for Content-Length: profiling the
 * hub showed Blob creation among the top costs per call, and the mock server sets
 * Content-Length itself when it writes a string body.
 */
import { HttpResponse } from 'msw';

export function jsonResponse(body: unknown, init: { status?: number; headers?: Record<string, string> } = {}): Response {
  return new HttpResponse(JSON.stringify(body), {
    status: init.status ?? 200,
    headers: { 'Content-Type': 'application/json', ...init.headers },
  });
}
