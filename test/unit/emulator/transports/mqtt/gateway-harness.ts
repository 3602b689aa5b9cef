import type { Packet } from 'mqtt-packet';

import { HubEventBus } from '../../../../../emulator/events.js';
import { noopLogger } from '../../../../../emulator/logger.js';
import type { JsonObject } from '../../../../../emulator/model/json.js';
import type { TwinAddress } from '../../../../../emulator/model/twin-address.js';
import type { DeviceAuthResult } from '../../../../../emulator/services/device-authenticator.js';
import type { MqttServices } from '../../../../../emulator/transports/mqtt/gateway-core.js';
import { MqttGateway } from '../../../../../emulator/transports/mqtt/mqtt-gateway.js';
import { TrafficTap } from '../../../../../emulator/transports/tap.js';
import { ManualClock } from '../../../../../emulator/util/clock.js';
import { duplexPair } from '../../../../helpers/duplex-pair.js';
import { PacketClient } from './packet-client.js';

/** The one SAS password the fake authenticator accepts. */
export const GOOD_SAS = 'SharedAccessSignature sr=hub%2Fdevices%2Fdev1&sig=good&se=4102444800';

/** What the gateway did to the fake services, in order. */
export type ServiceCall = readonly [string, ...unknown[]];

/** Small fakes of the service slices the gateway calls (house-style H23: a transport-layer unit test). */
export function fakeServices(calls: ServiceCall[]): MqttServices {
  const twin: JsonObject = { desired: { $version: 3 }, reported: { $version: 7 } };
  return {
    authenticator: {
      authenticate: (clientId, _username, password): DeviceAuthResult => {
        // A record the authenticator cannot read (issue 11): the hook must not throw out of aedes.
        if (clientId === 'broken') throw new TypeError("Cannot read properties of undefined (reading 'symmetricKey')");
        if (clientId === 'disabled' && password === GOOD_SAS) return { ok: false, returnCode: 3, reason: 'device is disabled' };
        if (password !== GOOD_SAS) return { ok: false, returnCode: 5, reason: 'signature mismatch' };
        return { ok: true, principal: { deviceId: clientId, hostName: 'hub', expiresAtSeconds: 4102444800 } };
      },
    },
    connections: {
      connected: ({ deviceId }) => void calls.push(['markConnected', deviceId]),
      disconnected: ({ deviceId }) => void calls.push(['markDisconnected', deviceId]),
      touch: ({ deviceId }) => void calls.push(['touch', deviceId]),
    },
    twins: {
      getDeviceTwin: ({ deviceId }) => (calls.push(['getDeviceTwin', deviceId]), twin),
      patchReported: (ctx, { deviceId }, patch) => (calls.push(['patchReported', deviceId, patch, ctx.principal]), Promise.resolve(8)),
      setModelId: ({ deviceId }, modelId) => (calls.push(['setModelId', deviceId, modelId]), Promise.resolve()),
    },
    telemetry: {
      receive: (ctx, address, properties, body) => (calls.push(['telemetry', address, properties, body.toString(), ctx.operation]), Promise.resolve()),
    },
    methods: {
      complete: (address: TwinAddress, rid, status, payload) => void calls.push(['methodComplete', address, rid, status, payload.toString()]),
      notifyReady: (deviceId) => void calls.push(['notifyReady', deviceId]),
    },
  };
}

/** A gateway over fake services, connected to in-memory streams. */
export async function createTestGateway(calls: ServiceCall[]): Promise<MqttGateway> {
  const clock = new ManualClock('2026-01-01T00:00:00Z');
  const events = new HubEventBus();
  return MqttGateway.create({
    ...fakeServices(calls),
    sessions: { load: () => ({}), get: () => [], save: () => Promise.resolve() },
    tap: new TrafficTap(events, clock),
    clock,
    logger: noopLogger,
    disconnectGraceMs: 0,
  });
}

/** Opens an in-memory connection to the gateway and sends CONNECT; resolves with the client and the CONNACK. */
export async function connectDevice(gateway: MqttGateway, clientId: string, password = GOOD_SAS): Promise<{ client: PacketClient; connack: Packet }> {
  const [device, hub] = duplexPair();
  gateway.handle(hub);
  const client = new PacketClient(device);
  client.send({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clean: true,
    clientId,
    keepalive: 0,
    username: `hub/${clientId}/?api-version=2021-04-12`,
    password: Buffer.from(password),
  });
  return { client, connack: await client.next() };
}

/** Subscribes to `topics` at QoS 1; resolves with the SUBACK's granted list. */
export async function subscribe(client: PacketClient, topics: readonly string[], messageId = 1): Promise<readonly number[]> {
  client.send({ cmd: 'subscribe', messageId, subscriptions: topics.map((topic) => ({ topic, qos: 1 })) });
  const suback = await client.next();
  if (suback.cmd !== 'suback') throw new Error(`expected SUBACK, got ${suback.cmd}`);
  return suback.granted.map(Number);
}
