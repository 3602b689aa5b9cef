import type { Connection, Delivery, Receiver, Sender } from 'rhea';

import type { TwinAddress } from '../../../model/twin-address.js';

/** A C2D message handed to a device's receiver and not settled yet. */
export interface UnsettledC2d {
  readonly lockToken: string;
  readonly messageId: string;
}

/**
 * One identity's links on one AMQP connection (a device, or a module, authorised by a CBS token): what the device
 * port reaches it by. A connection may carry several identities (a device and its modules), each with its own set.
 */
export interface IdentityLinks {
  readonly connection: Connection;
  readonly address: TwinAddress;
  /** Every open link of the identity; the identity counts as connected while there is one. */
  readonly links: Set<Sender | Receiver>;
  /** The C2D sender (the device's `…/messages/devicebound` receiver). */
  c2d?: Sender;
  /** C2D deliveries sent and not settled, by delivery. */
  readonly unsettledC2d: Map<Delivery, UnsettledC2d>;
  /** Method requests go out on this sender (the device's method receiver). */
  methodRequests?: Sender;
  /** Method responses come in on this receiver; methods are ready only when both links are attached. */
  methodResponses?: Receiver;
  /** Pending method calls sent on this connection: AMQP correlation id (uuid text) → the method service's rid. */
  readonly methodCalls: Map<string, string>;
  /** Twin replies and desired notifications go out on these senders, by channel correlation id (§3.3). */
  readonly twinSenders: Map<string, Sender>;
  /** True after `PUT /notifications/twin/properties/desired` on the twin link. */
  desiredSubscribed: boolean;
}

/** A fresh, linkless set for an identity on a connection. */
export function newIdentityLinks(connection: Connection, address: TwinAddress): IdentityLinks {
  return {
    connection,
    address,
    links: new Set(),
    unsettledC2d: new Map(),
    methodCalls: new Map(),
    twinSenders: new Map(),
    desiredSubscribed: false,
  };
}

/** The `com.microsoft:channel-correlation-id` a method or twin link carries (it pairs a sender with its receiver). */
export function channelOf(link: Sender | Receiver): string {
  const properties = (link as unknown as { properties?: unknown }).properties;
  if (typeof properties !== 'object' || properties === null) return '';
  const value = Object.prototype.hasOwnProperty.call(properties, 'com.microsoft:channel-correlation-id')
    ? (properties as Record<string, unknown>)['com.microsoft:channel-correlation-id']
    : undefined;
  return typeof value === 'string' ? value : '';
}
