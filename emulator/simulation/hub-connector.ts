import { readFile } from 'node:fs/promises';

import type { HubEmulator } from '../index.js';
import { DeviceLink } from './device-link.js';
import type { ConnectedLink, DeviceConnector } from './simulated-device.js';

/**
 * Connects simulated devices to an in-process hub like any device: over its MQTT/TLS port, trusting its CA, with the
 * device's current primary key from the registry (read at every connect, so a key rotation is picked up).
 */
export function createHubConnector(hub: HubEmulator, options: { connectHost?: string } = {}): DeviceConnector {
  let ca: Promise<string> | undefined;
  return {
    async connect(deviceId, modelId, handlers): Promise<ConnectedLink> {
      const info = hub.info;
      const record = hub.registry.get(deviceId);
      if (record.authentication.type !== 'sas') {
        throw new Error(`device ${deviceId} uses ${record.authentication.type} authentication; simulations need a symmetric key`);
      }
      ca ??= readFile(info.caCertPath, 'utf8');
      return DeviceLink.open(
        {
          host: options.connectHost ?? connectHostFor(hub.config.bindAddress, info.hostName),
          port: info.ports.mqtts,
          hostName: info.hostName,
          deviceId,
          sharedAccessKey: record.authentication.symmetricKey.primaryKey,
          ca: await ca,
          ...(modelId ? { modelId } : {}),
          desired: true,
          methods: true,
        },
        handlers,
      );
    },
  };
}

/** A wildcard bind is reached through the host name; a specific bind address only through that address. */
function connectHostFor(bindAddress: string, hostName: string): string {
  return bindAddress === '::' || bindAddress === '0.0.0.0' ? hostName : bindAddress;
}
