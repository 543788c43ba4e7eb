import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatHostPort, parseHostPort } from '../../../mocks/fault-proxy/address.js';
import { FaultProxyError, listenPort } from '../../../mocks/fault-proxy/index.js';

describe('host:port parsing', () => {
  it('round-trips IPv4, IPv6 and host names with any port (property)', () => {
    const host = fc.oneof(fc.ipV4(), fc.ipV6(), fc.domain());
    fc.assert(
      fc.property(host, fc.integer({ min: 0, max: 65535 }), (h, port) => {
        const text = formatHostPort({ host: h, port });
        expect(parseHostPort(text, 'listen')).toEqual({ host: h, port });
        expect(listenPort({ listen: text })).toBe(port);
      }),
    );
  });

  it('reads an empty host as all interfaces, like Go', () => {
    expect(parseHostPort(':8080', 'listen')).toEqual({ host: '0.0.0.0', port: 8080 });
  });

  it.each([[''], ['localhost'], ['localhost:'], ['localhost:65536'], ['localhost:-1'], ['h:1x'], [42]])(
    'rejects %j with a coded error naming the field',
    (input) => {
      let thrown: unknown;
      try {
        parseHostPort(input, 'upstream');
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(FaultProxyError);
      expect((thrown as FaultProxyError).code).toBe('GAUNTLET_ERR_SANDBOX_START');
      expect((thrown as FaultProxyError).problems[0]?.path).toBe('upstream');
    },
  );
});
