import type { SdkDisconnectFault } from './sdk-faults.js';

/**
 * What a fault does to a live connection: one of the SDKs' disconnect faults (kill the TCP socket, an AMQP
 * connection, session or link, or shut the connection down gracefully), `drop` (destroy the socket, as `KillTcp`),
 * or `expireToken` (end it as an expired SAS token does).
 */
export type ConnectionFault = SdkDisconnectFault | 'drop' | 'expireToken';

/** What one connection fault did on one transport, for the traffic view. */
export interface FaultHit {
  readonly deviceId: string;
  readonly moduleId?: string;
  readonly protocol: 'mqtt' | 'amqp';
  /** What was done, e.g. `socket destroyed`, `session ended (amqp:connection:forced)`. */
  readonly effect: string;
}

/**
 * A device transport's side of the fault engine (implemented by the MQTT gateway and the AMQP device endpoint, bound
 * by the composition root, like the device port). A fault a transport cannot express (an AMQP link kill on an MQTT
 * connection) is no hit there.
 */
export interface FaultTarget {
  /** Applies the fault to the live connections of `deviceId` (its modules' too), or of every device when undefined. */
  applyConnectionFault(deviceId: string | undefined, fault: ConnectionFault, reason: string): FaultHit[];
}

/** Closing and reopening the hub's listeners (the "hub down" fault), implemented by the composition root. */
export interface HubOutage {
  down(): Promise<void>;
  up(): Promise<void>;
  readonly isDown: boolean;
}
