import t from 'tap';
import { checkUrl, isBlockedAddress } from '../src/server/url-guard.js';

const open = { allowedHosts: [], production: false };

t.test('SSRF matrix: internal addresses are refused in every spelling', async (t) => {
  const refused = [
    'http://127.0.0.1/', 'http://127.9.8.7:8080/x', 'http://[::1]/', 'http://[::ffff:127.0.0.1]/', 'http://[::ffff:7f00:1]/', 'http://[0:0:0:0:0:0:0:1]/',
    'http://10.1.2.3/', 'http://172.16.0.1/', 'http://172.31.255.255/', 'http://192.168.1.1/', 'http://100.64.0.1/', 'http://0.0.0.0/',
    'http://169.254.169.254/latest/meta-data/', 'http://[fe80::1]/', 'http://[fd00:ec2::254]/', 'http://[fc00::1]/',
    'http://2130706433/', 'http://0177.0.0.1/', 'http://0x7f000001/', 'http://0x7f.1/', 'http://017700000001/', 'http://127.1/',
    'http://localhost/', 'http://LOCALHOST:3000/', 'http://224.0.0.1/', 'http://255.255.255.255/',
  ];
  for (const url of refused) {
    const err = await checkUrl(url, open).then(() => null, (e: { code?: string }) => e);
    t.equal(err?.code, 'CHARLA_WEBHOOKS_URL_NOT_ALLOWED', `${url} is refused`);
  }
  t.equal((await checkUrl('https://93.184.216.34/hook', open)).address, '93.184.216.34', 'a public address is accepted');
  t.equal((await checkUrl('http://[2606:4700:4700::1111]/', open)).family, 6, 'a public IPv6 address is accepted');
});

t.test('schemes, credentials, production and the operator allowlist', async (t) => {
  const code = (p: Promise<unknown>) => p.then(() => null, (e: { code?: string }) => e.code);
  t.equal(await code(checkUrl('ftp://93.184.216.34/', open)), 'CHARLA_WEBHOOKS_URL_NOT_ALLOWED');
  t.equal(await code(checkUrl('file:///etc/passwd', open)), 'CHARLA_WEBHOOKS_URL_NOT_ALLOWED');
  t.equal(await code(checkUrl('https://user:pw@93.184.216.34/', open)), 'CHARLA_WEBHOOKS_URL_NOT_ALLOWED');
  t.equal(await code(checkUrl('not a url', open)), 'CHARLA_WEBHOOKS_BAD_REQUEST');
  t.equal(await code(checkUrl('http://93.184.216.34/', { allowedHosts: [], production: true })), 'CHARLA_WEBHOOKS_URL_NOT_ALLOWED', 'plain http in production');
  t.equal(await code(checkUrl('https://93.184.216.34/', { allowedHosts: [], production: true })), null);
  const allow = { allowedHosts: ['127.0.0.1:8080', 'hooks.internal'], production: true };
  t.equal((await checkUrl('http://127.0.0.1:8080/x', allow)).address, '127.0.0.1', 'an allowlisted host:port may be internal (and plain http)');
  t.equal(await code(checkUrl('http://127.0.0.1:8081/x', allow)), 'CHARLA_WEBHOOKS_URL_NOT_ALLOWED', 'only on the listed port');
  t.equal(await code(checkUrl('http://hooks.internal.invalid/', allow)), 'CHARLA_WEBHOOKS_URL_NOT_ALLOWED', 'unresolvable names are refused');
});

t.test('isBlockedAddress: IPv4-mapped IPv6 is checked as the IPv4 it carries', async (t) => {
  t.ok(isBlockedAddress('::ffff:10.0.0.1'));
  t.ok(isBlockedAddress('::ffff:a00:1'));
  t.notOk(isBlockedAddress('::ffff:93.184.216.34'));
  t.ok(isBlockedAddress('not-an-ip'), 'anything that is not an address is refused');
});
