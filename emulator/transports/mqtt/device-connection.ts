import type { Client } from 'aedes';

import type { DevicePrincipal } from '../../services/device-authenticator.js';
import type { TopicOwner } from './topics.js';

/** What the gateway knows about one authenticated MQTT connection. */
export interface DeviceConnection {
  readonly client: Client;
  readonly principal: DevicePrincipal;
  readonly owner: TopicOwner;
  /** Granted topic filters; restored from the durable session for clean=false clients. */
  readonly subscriptions: Set<string>;
  expiryTimer?: NodeJS.Timeout;
  /** What the hub holds for this client and may hold (reply.ts); absent in tests that build connections by hand. */
  readonly outbox?: Outbox;
}

/** The hub → device messages written and not yet taken by the client, and the bounds (wire-limits.ts). */
export interface Outbox {
  messages: number;
  readonly maxMessages: number;
  readonly maxBytes: number;
}

/** Live connections by client id; aedes guarantees one per client id, we keep the newest. */
export class ConnectionRegistry {
  private readonly byClient = new WeakMap<Client, DeviceConnection>();
  private readonly byIdentity = new Map<string, DeviceConnection>();

  add(connection: DeviceConnection): void {
    this.byClient.set(connection.client, connection);
    this.byIdentity.set(connection.client.id, connection);
  }

  of(client: Client): DeviceConnection | undefined {
    return this.byClient.get(client);
  }

  /** Removes the connection unless a newer one already took over its client id. */
  remove(client: Client): DeviceConnection | undefined {
    const connection = this.byClient.get(client);
    this.byClient.delete(client);
    if (connection && this.byIdentity.get(client.id) === connection) this.byIdentity.delete(client.id);
    return connection;
  }

  /** The live device-level (not module) connection of a device. */
  forDevice(deviceId: string): DeviceConnection | undefined {
    return this.byIdentity.get(deviceId);
  }

  all(): IterableIterator<DeviceConnection> {
    return this.byIdentity.values();
  }
}
