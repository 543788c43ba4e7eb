/**
 * A webhook endpoint for benches, in its own process so only the client's event loop is
 * measured: reads each body and answers `--status` (200 JSON ack, or 401 like a verifying
 * connector rejecting a forgery). Started by `startSink` in ./fixture.ts.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const status = Number(process.argv[process.argv.indexOf('--status') + 1] ?? 200);
const body = status === 200 ? '{"received":true}' : '{"error":"invalid_signature"}';
process.on('disconnect', () => process.exit(0));
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body);
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => process.send?.((server.address() as AddressInfo).port));
