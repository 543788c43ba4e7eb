// quickpay-sync: keeps QuickPay's ledger in step with the hub.
// Written in a hurry, and it shows. Every flaw below is deliberate and labelled with the
// real-world case (RW-xx, /work/shared/cases/real-world.md) or contract clause (§6.n)
// it reproduces, so Gauntlet's findings against this connector can be checked one by one.

import http from 'node:http';
import crypto from 'node:crypto';

const PORT = process.env.PORT || 3000;
// FLAW RW-03 / RW-04: nothing checks that the secret is set. Started with an empty one, it
// starts fine and accepts any signature computed with an empty HMAC key.
const SECRET = process.env.QUICKPAY_STRIPE_SECRET;
const HUB = process.env.QUICKPAY_HUB_URL;
const ACQUIRER = process.env.QUICKPAY_ACQUIRER_URL;
const CLIENT_ID = process.env.QUICKPAY_CLIENT_ID;
const CLIENT_SECRET = process.env.QUICKPAY_CLIENT_SECRET;

// FLAW §6.8 (least privilege): asks for everything "just in case"; only risk:write and
// refunds:write are ever used.
const SCOPES = 'payments:read risk:write refunds:write customers:read';

function verifyStripeSignature(payloadString, header) {
  if (!header) return false;
  const parts = header.split(',');
  const t = parts.find((p) => p.startsWith('t='))?.slice(2);
  // FLAW RW-10: only the FIRST v1 entry is looked at; during secret rotation the hub
  // sends `v1=<old>,v1=<new>` and the valid second signature is never considered.
  const v1 = parts.find((p) => p.startsWith('v1='))?.slice(3);
  if (!t || !v1) return false;
  // FLAW RW-05: only the past is bounded; a timestamp far in the future never expires,
  // so a captured future-dated delivery can be replayed indefinitely.
  if (Math.floor(Date.now() / 1000) - Number(t) > 300) return false;
  const expected = crypto.createHmac('sha256', SECRET).update(`${t}.${payloadString}`).digest('hex');
  // FLAW (§6.1, timing): plain string comparison instead of a constant-time compare.
  return expected == v1;
}

async function getToken() {
  // Not a contract violation, just wasteful: a fresh token for every event.
  const res = await fetch(`${HUB}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: 'Basic ' + Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64'),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: `grant_type=client_credentials&scope=${encodeURIComponent(SCOPES)}`,
  });
  const json = await res.json();
  return json.access_token;
}

async function handleEvent(event) {
  const obj = event.data.object;
  switch (event.type) {
    case 'payment.captured': {
      const token = await getToken();
      // FLAW §6.9: no timeout on any outbound call; a hung hub hangs the webhook too.
      await fetch(`${HUB}/v1/payments/${obj.id}/risk_assessments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ score: obj.amount > 100000 ? 90 : 10, decision: obj.amount > 100000 ? 'review' : 'approve' }),
      });
      break;
    }
    case 'refund.requested': {
      // FLAW §6.7: no validation at all; a negative amount, unknown currency, unknown
      // status or another api_version is refunded just the same.
      // FLAW §6.4 / §6.9: no de-duplication and NO Idempotency-Key: a redelivered event,
      // or a retry by the hub after our slow answer, refunds twice.
      await fetch(`${ACQUIRER}/v1/refunds`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ payment: obj.payment, amount: obj.amount, currency: obj.currency }),
      });
      const token = await getToken();
      await fetch(`${HUB}/v1/refunds`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ payment: obj.payment, amount: obj.amount, currency: obj.currency }),
      });
      break;
    }
    // FLAW §6.5: refund.canceled is subscribed to but ignored, so a cancellation that
    // arrives before (or while) the refund is requested changes nothing.
    default:
      break;
  }
}

const server = http.createServer(async (req, res) => {
  if (req.url === '/health') {
    res.end('ok');
    return;
  }
  if (req.url !== '/webhooks' || req.method !== 'POST') {
    res.statusCode = 404;
    res.end();
    return;
  }
  try {
    // FLAW RW-08 / §6.6: the whole body is buffered with no size cap.
    let raw = '';
    for await (const chunk of req) raw += chunk;
    // FLAW §6.10: the whole body goes to the logs, customer email and card token included.
    console.log('webhook received', raw);
    // FLAW RW-09: parsed before anything else; bad JSON throws and ends up as a 500, and
    // unsigned garbage reaches the parser.
    const event = JSON.parse(raw);
    // FLAW RW-01 / RW-02 / §6.2: the signature is checked over a re-serialisation of the
    // parsed body, not the bytes received. A validly signed pretty-printed or escaped body
    // (`\/`, `\u00e9`, U+2028) no longer matches and is rejected, while a body that only
    // differs from a signed compact one in whitespace is accepted with the old signature.
    if (!verifyStripeSignature(JSON.stringify(event), req.headers['stripe-signature'])) {
      res.statusCode = 400;
      res.end('bad signature');
      return;
    }
    // FLAW §6.3: all work is done before answering, so the ack waits for the token
    // request, the acquirer and the hub (and forever when one of them hangs).
    await handleEvent(event);
    res.end('ok');
  } catch (err) {
    console.error('webhook failed', err);
    res.statusCode = 500;
    res.end('error');
  }
});

server.listen(PORT, () => console.log(`quickpay-sync listening on ${PORT}`));
