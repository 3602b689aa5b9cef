import type { ConnectionFault, FaultHit, FaultTarget } from '../../faults/fault-target.js';
import type { DeviceConnection } from './device-connection.js';
import type { GatewayCore } from './gateway-core.js';

/**
 * The MQTT gateway's side of the fault engine (emulator/faults/): what a connection fault does to an MQTT
 * connection. `KillTcp` and `drop` destroy the socket under the connection (for MQTT over WebSockets, the TLS socket
 * the WebSocket runs on) without a word; `ShutDownMqtt` closes the connection in order (MQTT 3.1.1 has no server
 * DISCONNECT, so the socket is ended); `expireToken` ends it as an expired SAS token does. AMQP faults do not apply.
 */
export class MqttFaultTarget implements FaultTarget {
  constructor(private readonly core: GatewayCore) {}

  applyConnectionFault(deviceId: string | undefined, fault: ConnectionFault, reason: string): FaultHit[] {
    if (fault !== 'KillTcp' && fault !== 'drop' && fault !== 'ShutDownMqtt' && fault !== 'expireToken') return [];
    const hits: FaultHit[] = [];
    for (const connection of [...this.core.connections.all()]) {
      if (deviceId !== undefined && connection.owner.deviceId !== deviceId) continue;
      if (connection.client.closed) continue;
      hits.push({ ...ownerOf(connection), protocol: 'mqtt', effect: this.act(connection, fault, reason) });
    }
    return hits;
  }

  private act(connection: DeviceConnection, fault: ConnectionFault, reason: string): string {
    const { client } = connection;
    this.core.deps.logger.info(`injected fault ${fault}: ${reason}`, client.id);
    if (fault === 'KillTcp' || fault === 'drop') {
      const socket = this.core.sockets.get(client) as { destroy?: () => void } | undefined;
      if (typeof socket?.destroy === 'function') {
        socket.destroy();
        return 'socket destroyed';
      }
    }
    client.close();
    return fault === 'expireToken' ? 'connection closed (SAS token expired)' : 'connection closed';
  }
}

function ownerOf(connection: DeviceConnection): { deviceId: string; moduleId?: string } {
  const { deviceId, moduleId } = connection.owner;
  return moduleId === undefined ? { deviceId } : { deviceId, moduleId };
}
