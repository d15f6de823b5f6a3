/**
 * A2B_TRUST_PROXY as an operator writes it: addresses, CIDR ranges and the
 * named ranges are taken; anything else stops the service at startup with a
 * message naming the entry, instead of trusting the wrong peers.
 */
import t from 'tap';
import { loadConfig } from '../../runtime/config.js';

t.test('accepted forms', async (t) => {
  t.same(loadConfig({}).trustProxy, [], 'unset: no proxy is trusted');
  t.same(loadConfig({ A2B_TRUST_PROXY: ' ' }).trustProxy, [], 'blank: none either');
  t.same(
    loadConfig({ A2B_TRUST_PROXY: '127.0.0.1, ::1,10.0.0.0/8 ,fd00::/8,loopback' }).trustProxy,
    ['127.0.0.1', '::1', '10.0.0.0/8', 'fd00::/8', 'loopback'],
    'addresses, ranges and names, spaces around commas ignored',
  );
});

t.test('refused forms name the entry and the problem', async (t) => {
  const cases: [string, RegExp][] = [
    ['nginx.local', /A2B_TRUST_PROXY: "nginx\.local" is not an IP address or CIDR range/],
    ['true', /"true" is not an IP address/],
    ['10.0.0.0/33', /"10\.0\.0\.0\/33" has a prefix length that is not a whole number from 0 to 32/],
    ['fd00::/129', /from 0 to 128/],
    ['10.0.0.0/8/1', /is not an IP address or CIDR range/],
    ['127.0.0.1,,::1', /"" is empty/],
    ['256.1.1.1', /"256\.1\.1\.1" is not an IP address/],
  ];
  for (const [value, message] of cases)
    t.throws(() => loadConfig({ A2B_TRUST_PROXY: value }), { name: 'ConfigError', message }, value);
});
