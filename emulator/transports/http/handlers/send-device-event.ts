import { argumentInvalid, malformedJson } from '../../../errors/catalogue.js';
import type { MessageProperties } from '../../../model/message.js';
import { d2cProperties, d2cPropertiesFromHeaders } from '../device-message-headers.js';
import type { DeviceOperation, DeviceRequest } from '../device-types.js';

/** Content type of a batch (iothub-protocol-2.md §4.3). */
const BATCH_CONTENT_TYPE = 'application/vnd.microsoft.iothub.json';
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

interface D2cMessage {
  readonly properties: MessageProperties;
  readonly body: Buffer;
}

/**
 * `POST /devices/{id}/messages/events` (and the module form): one event with its properties in headers (§4.2), or a
 * batch (§4.3). Every element is checked before any is taken, so a refused batch delivers nothing; then each message
 * goes to the telemetry service exactly like MQTT telemetry. 204 once all are durable.
 */
export const sendDeviceEvent: DeviceOperation = async (request, services) => {
  const messages = isBatch(request) ? parseBatch(request.body) : [{ properties: d2cPropertiesFromHeaders(request.headers), body: request.body }];
  // A single fault request (AzIoTHub_FaultOperationType, emulator/faults/) is answered 204 and acted on, not routed.
  const [only] = messages;
  if (messages.length === 1 && only && services.faults?.onDeviceMessage(request.address, only.properties.application, 'http') === true) return { status: 204 };
  // 204 only once every message is durable on the built-in endpoint.
  await Promise.all(messages.map((message) => services.telemetry.receive(request.context, request.address, message.properties, message.body)));
  return { status: 204 };
};

function isBatch(request: DeviceRequest): boolean {
  const type = request.headers['content-type'];
  return typeof type === 'string' && type.split(';')[0]?.trim().toLowerCase() === BATCH_CONTENT_TYPE;
}

/** `[{"body":"<base64>","properties":{"iothub-app-k":"v"}}, …]` → messages; 400 for anything else. */
function parseBatch(body: Buffer): D2cMessage[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw malformedJson(error instanceof Error ? error.message : 'invalid JSON');
  }
  if (!Array.isArray(parsed)) throw argumentInvalid('A batch must be a JSON array of {"body": "<base64>", "properties": {…}} objects.');
  return parsed.map((item: unknown, index) => parseBatchItem(item, index));
}

function parseBatchItem(item: unknown, index: number): D2cMessage {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) throw argumentInvalid(`Batch element ${index} is not an object.`);
  const { body, properties } = item as { body?: unknown; properties?: unknown };
  if (typeof body !== 'string' || !BASE64.test(body)) throw argumentInvalid(`Batch element ${index} has no base64 "body".`);
  const named: Record<string, string> = {};
  if (properties !== undefined) {
    if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) {
      throw argumentInvalid(`The "properties" of batch element ${index} must be an object of strings.`);
    }
    for (const [key, value] of Object.entries(properties)) {
      if (typeof value !== 'string') throw argumentInvalid(`Property '${key}' of batch element ${index} is not a string.`);
      named[key] = value;
    }
  }
  return { properties: d2cProperties(named), body: Buffer.from(body, 'base64') };
}
