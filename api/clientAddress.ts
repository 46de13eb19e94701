// The client's address, as far as the server can tell. Behind proxies, X-Forwarded-For is read from the right: each
// trusted proxy appends the address it saw, and anything to the left of those is whatever the client wrote.
import { isIPv6 } from 'node:net';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

/**
 * The client an address stands for, for counting: an IPv4 address as it is (also when written as IPv6,
 * `::ffff:a.b.c.d`), an IPv6 address by its /64, which one subscriber holds whole (a client with 2^64 addresses
 * would otherwise be 2^64 clients to every limit).
 */
export function clientOf(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return mapped[1];
  const bare = address.replace(/%.*$/, '');
  if (!isIPv6(bare)) return address;
  const [head, tail = ''] = bare.split('::');
  const left = head ? head.split(':') : [];
  const right = bare.includes('::') && tail ? tail.split(':') : [];
  const groups = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((group) => parseInt(group, 16).toString(16))
    .join(':')}::/64`;
}

/** The client `trustedHops` proxies in front of this server saw (0: the socket's own peer), as `clientOf` counts it. */
export function clientAddress(c: Context, trustedHops: number): string {
  return clientOf(seenAddress(c, trustedHops));
}

function seenAddress(c: Context, trustedHops: number): string {
  let peer = 'unknown'; // not served by Node's HTTP server (in-process requests)
  try {
    peer = getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // keep 'unknown'
  }
  if (trustedHops <= 0) return peer;
  const forwarded = (c.req.header('X-Forwarded-For') ?? '')
    .split(',')
    .map((address) => address.trim())
    .filter(Boolean);
  // [what the client wrote..., the client as the first proxy saw it, ..., the last proxy] and the socket's peer.
  const chain = [...forwarded, peer];
  return chain[Math.max(0, chain.length - 1 - trustedHops)];
}
