import type { TwinState } from './twin.js';

/** Device status as the registry spells it. */
export type DeviceStatus = 'enabled' | 'disabled';

/** Connection state as the registry spells it (capitalised, iothub-protocol.md §7.1). */
export type ConnectionState = 'Connected' | 'Disconnected';

/** How a device is connected: MQTT or AMQP, over TLS or WebSockets (device HTTPS has no connection). */
export type DeviceTransport = 'mqtt' | 'mqtt-ws' | 'amqp' | 'amqp-ws';

/** How a device authenticates. */
export type AuthenticationType = 'sas' | 'selfSigned' | 'certificateAuthority' | 'none';

/** Registry authentication block (iothub-protocol.md §8.3). */
export interface DeviceAuthentication {
  readonly type: AuthenticationType;
  readonly symmetricKey: { readonly primaryKey: string; readonly secondaryKey: string };
  readonly x509Thumbprint: { readonly primaryThumbprint: string | null; readonly secondaryThumbprint: string | null };
}

/** A registered device identity with its twin, as persisted. Records are replaced, never mutated in place. */
export interface DeviceRecord {
  readonly deviceId: string;
  readonly generationId: string;
  /** Identity version; `etag` of the identity derives from it. */
  readonly identityVersion: number;
  readonly status: DeviceStatus;
  readonly statusReason: string | null;
  readonly statusUpdatedTime: string;
  readonly connectionStateUpdatedTime: string;
  readonly lastActivityTime: string;
  readonly authentication: DeviceAuthentication;
  readonly capabilities: { readonly iotEdge: boolean };
  readonly twin: TwinState;
}

/** "Never" in IoT Hub timestamps (iothub-protocol.md §7.1). */
export const NEVER = '0001-01-01T00:00:00Z';
