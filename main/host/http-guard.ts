import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Checks that keep browser mode a loopback-only, single-user service: the Host header must name the loopback
 * address we listen on (defeats DNS rebinding), an Origin — when the browser sends one — must be our own, and
 * every API call must carry the per-run token.
 */
export class HttpGuard {
  private readonly hosts: Set<string>;
  private readonly origins: Set<string>;
  private readonly token: Buffer;

  constructor(port: number, token: string) {
    this.hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
    this.origins = new Set([...this.hosts].map((host) => `http://${host}`));
    this.token = Buffer.from(token);
  }

  /** Why the request must be refused before anything else, or undefined. */
  rejectSource(request: IncomingMessage): string | undefined {
    const host = request.headers.host?.toLowerCase();
    if (!host || !this.hosts.has(host)) return 'unexpected Host header';
    const origin = request.headers.origin;
    if (origin !== undefined && !this.origins.has(origin.toLowerCase())) return 'cross-origin request refused';
    const site = request.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') return 'cross-site request refused';
    return undefined;
  }

  /** True when the request carries the token as `Authorization: Bearer <token>`. */
  hasBearer(request: IncomingMessage): boolean {
    const header = request.headers.authorization;
    return header !== undefined && header.startsWith('Bearer ') && this.matches(header.slice('Bearer '.length));
  }

  /** True when `candidate` is the token (constant time). */
  matches(candidate: string | null | undefined): boolean {
    if (!candidate) return false;
    const given = Buffer.from(candidate);
    return given.length === this.token.length && timingSafeEqual(given, this.token);
  }
}
