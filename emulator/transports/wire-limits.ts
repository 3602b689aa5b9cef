/**
 * Limits that keep one client from hurting the others (issue 11; why each value: test/reliability/README.md).
 * Every field is optional in `EmulatorConfig.limits`; tests shorten the timeouts.
 */
export interface WireLimits {
  /**
   * Milliseconds from TCP accept until the client is admitted: MQTT CONNACK 0, AMQP open, or the first HTTP request.
   * Covers the TLS handshake, the MQTT CONNECT and the AMQP header; a socket that is not admitted in time is closed.
   */
  readonly openTimeoutMs: number;
  /** Sockets per listener not yet admitted; past it the oldest is closed (a flood cannot lock devices out). */
  readonly maxPendingPerListener: number;
  /** Sockets per listener in all; past it new sockets are refused, with a log line. */
  readonly maxConnectionsPerListener: number;
  /** Largest MQTT CONNECT (remaining length), checked at the fixed header before anything is buffered. */
  readonly maxConnectBytes: number;
  /**
   * Largest MQTT packet after CONNECT, checked the same way; also the largest AMQP message (all frames of one
   * delivery, amqp/frame-guard.ts), whose single frames are bounded by the advertised 64 KiB `max-frame-size`.
   */
  readonly maxPacketBytes: number;
  /** Bytes the hub may hold for one MQTT connection that does not read; past it the connection is closed. */
  readonly maxOutgoingBytes: number;
  /** Messages the hub may hold for one MQTT connection that does not read; past it the connection is closed. */
  readonly maxOutgoingMessages: number;
  /** HTTP: the request headers must arrive within this time (Node `headersTimeout`). */
  readonly httpHeadersTimeoutMs: number;
  /** HTTP: the whole request (headers and body) must arrive within this time (Node `requestTimeout`). */
  readonly httpRequestTimeoutMs: number;
  /** HTTP: an idle keep-alive connection is closed after this time (Node `keepAliveTimeout`). */
  readonly httpKeepAliveTimeoutMs: number;
}

/** The defaults; iothub-protocol.md §10 for the message sizes they are measured against. */
export const DEFAULT_WIRE_LIMITS: WireLimits = {
  openTimeoutMs: 10_000,
  maxPendingPerListener: 256,
  maxConnectionsPerListener: 65_536,
  maxConnectBytes: 64 * 1024,
  maxPacketBytes: 512 * 1024,
  maxOutgoingBytes: 4 * 1024 * 1024,
  maxOutgoingMessages: 1_000,
  httpHeadersTimeoutMs: 10_000,
  httpRequestTimeoutMs: 60_000,
  httpKeepAliveTimeoutMs: 5_000,
};

/** Fills in the defaults; throws a RangeError naming a field that is not a positive integer. */
export function resolveWireLimits(limits: Partial<WireLimits> = {}): WireLimits {
  const resolved = { ...DEFAULT_WIRE_LIMITS, ...limits };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isInteger(value) || value <= 0) throw new RangeError(`limits.${name} must be a positive integer, got ${String(value)}`);
  }
  return resolved;
}
