import type { Connection } from 'rhea';

import { twinKey, type TwinAddress } from '../../../model/twin-address.js';
import type { Clock } from '../../../util/clock.js';

interface Grant {
  readonly address: TwinAddress;
  readonly untilMs: number;
  /** Checks the grant when it runs out; none for a certificate. */
  readonly timer?: NodeJS.Timeout;
}

/**
 * Which device and module identities a connection's CBS tokens authorise, and until when (iothub-protocol-2.md
 * §3.2). A new put-token for an identity replaces its grant on the live connection (token renewal without a
 * reconnect, as the Node SDK does it); a grant that runs out (plus the configured grace) calls `onExpired`.
 */
export class DeviceGrants {
  private readonly grants = new Map<Connection, Map<string, Grant>>();

  constructor(
    private readonly clock: Clock,
    private readonly graceMs: number,
    private readonly onExpired: (connection: Connection, address: TwinAddress) => void,
  ) {}

  /** A put-token for the identity was accepted; its token expires at `expiresAtSeconds`. */
  grant(connection: Connection, address: TwinAddress, expiresAtSeconds: number): void {
    const untilMs = expiresAtSeconds * 1000 + this.graceMs;
    // setTimeout takes at most 2^31-1 ms; a token that lives longer is checked again when that timer fires.
    const delay = Math.min(Math.max(0, untilMs - this.clock.now().getTime()), 2_147_483_647);
    const timer = setTimeout(() => this.check(connection, twinKey(address)), delay);
    timer.unref();
    this.put(connection, { address, untilMs, timer });
  }

  /** The connection's client certificate authenticated the identity (X.509): no expiry, no renewal. */
  grantCertificate(connection: Connection, address: TwinAddress): void {
    this.put(connection, { address, untilMs: Number.POSITIVE_INFINITY });
  }

  /** True when a live token (or the client certificate) on the connection authorises the identity. */
  allows(connection: Connection, address: TwinAddress): boolean {
    const grant = this.grants.get(connection)?.get(twinKey(address));
    return grant !== undefined && grant.untilMs > this.clock.now().getTime();
  }

  /** The connection ended. */
  forget(connection: Connection): void {
    for (const grant of this.grants.get(connection)?.values() ?? []) clearTimeout(grant.timer);
    this.grants.delete(connection);
  }

  /** Replaces the identity's grant on the connection (stopping the old one's timer). */
  private put(connection: Connection, grant: Grant): void {
    let perConnection = this.grants.get(connection);
    if (!perConnection) {
      perConnection = new Map();
      this.grants.set(connection, perConnection);
    }
    const key = twinKey(grant.address);
    clearTimeout(perConnection.get(key)?.timer);
    perConnection.set(key, grant);
  }

  private check(connection: Connection, key: string): void {
    const grant = this.grants.get(connection)?.get(key);
    if (!grant) return;
    const left = grant.untilMs - this.clock.now().getTime();
    if (left > 0) {
      this.grant(connection, grant.address, (grant.untilMs - this.graceMs) / 1000);
      return;
    }
    this.grants.get(connection)?.delete(key);
    this.onExpired(connection, grant.address);
  }
}
