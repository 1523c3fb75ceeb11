import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { WebhookErrors } from './errors.js';

/** Addresses a webhook may never reach (SSRF): loopback, private, link-local/metadata, CGNAT, reserved. */
const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.0.2.0', 24],
  ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) BLOCKED.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], ['::1', 128], ['64:ff9b::', 96], ['100::', 64], ['2001::', 32], ['2001:db8::', 32], ['2002::', 16], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) BLOCKED.addSubnet(net, prefix, 'ipv6');

/** IPv4-mapped / compatible IPv6 (`::ffff:127.0.0.1`, `::ffff:7f00:1`) as the IPv4 address it carries, else null. */
function embeddedIpv4(address: string): string | null {
  const m = /^::(?:ffff:)?(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(address);
  if (!m) return null;
  if (m[1]) return m[1];
  const hi = parseInt(m[2], 16);
  const lo = parseInt(m[3], 16);
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

/** True when `address` (an IP literal) is one a webhook must not reach. */
export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return BLOCKED.check(address, 'ipv4');
  if (family !== 6) return true;
  const v4 = embeddedIpv4(address.toLowerCase());
  return v4 ? BLOCKED.check(v4, 'ipv4') : BLOCKED.check(address, 'ipv6');
}

export interface GuardOptions {
  /** `host` or `host:port` entries the operator allows even when they resolve to internal addresses (WEBHOOKS_ALLOWED_HOSTS). */
  allowedHosts: string[];
  /** Plain http is accepted only outside production or for allowed hosts. */
  production: boolean;
}

export interface CheckedUrl {
  url: URL;
  /** The hostname without IPv6 brackets. */
  host: string;
  /** The address that was checked: the request connects to it and to nothing else. */
  address: string;
  family: 4 | 6;
}

/**
 * Parses and checks a webhook URL, resolving its host once. WHATWG URL parsing already
 * turns decimal, octal and hex IPv4 forms (`http://2130706433/`, `http://0177.1/`) into
 * dotted quads, so the address check sees what a client would connect to. Every resolved
 * address must be public: a name with one internal address among public ones is refused.
 */
export async function checkUrl(raw: string, opts: GuardOptions): Promise<CheckedUrl> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw WebhookErrors.badRequest('url is not a valid absolute URL.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw WebhookErrors.urlNotAllowed('Webhook URLs use https (or http outside production).');
  if (url.username || url.password) throw WebhookErrors.urlNotAllowed('Webhook URLs may not carry a user name or password; authenticate with the signature.');
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const allowed = opts.allowedHosts.some((h) => h === host || h === `${host}:${port}` || h === `${url.hostname.toLowerCase()}:${port}`);
  if (url.protocol === 'http:' && opts.production && !allowed) throw WebhookErrors.urlNotAllowed('Webhook URLs must use https.');
  let addresses: Array<{ address: string; family: number }>;
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await lookup(host, { all: true, verbatim: true });
    } catch {
      throw WebhookErrors.urlNotAllowed(`The host ${host} could not be resolved.`);
    }
  }
  if (!addresses.length) throw WebhookErrors.urlNotAllowed(`The host ${host} could not be resolved.`);
  if (!allowed) {
    const internal = addresses.find((a) => isBlockedAddress(a.address));
    if (internal) throw WebhookErrors.urlNotAllowed(`${host} resolves to ${internal.address}, an internal address; webhooks only reach public hosts (an operator may allow hosts in WEBHOOKS_ALLOWED_HOSTS).`);
  }
  return { url, host, address: addresses[0].address, family: addresses[0].family === 6 ? 6 : 4 };
}
