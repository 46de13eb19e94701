// The client's address, as far as the server can tell. Behind proxies, X-Forwarded-For is read from the right: each
// trusted proxy appends the address it saw, and anything to the left of those is whatever the client wrote.
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

/** The address `trustedHops` proxies in front of this server saw the client at (0: the socket's own peer). */
export function clientAddress(c: Context, trustedHops: number): string {
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
