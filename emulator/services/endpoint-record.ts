import type { HubEventInput } from '../model/hub-event.js';
import type { JsonObject, JsonValue } from '../model/json.js';
import { dictionary } from '../util/own-keys.js';

/** Writes routed messages somewhere outside the hub: a file sink or a webhook (services see only this). */
export interface RecordSink {
  /** Takes one record; resolves when it is written (file) or queued (webhook). */
  write(record: JsonObject): Promise<void>;
  close(): Promise<void>;
  /** Counters for the studio (records written, delivered, failed, dropped, queued…). */
  stats(): Readonly<Record<string, number>>;
}

const JSON_CONTENT = /^application\/json$/i;
const UTF8 = /^utf-?8$/i;

/**
 * A routed message as a file or webhook sink writes it: the record IoT Hub's JSON-encoded storage endpoint writes
 * (`EnqueuedTimeUtc`, `Properties`, `SystemProperties`, `Body`), with the body as JSON when the message says it is
 * UTF-8 JSON and parses, else base64 (as IoT Hub writes non-JSON bodies).
 */
export function endpointRecord(event: HubEventInput): JsonObject {
  const system: Record<string, JsonValue> = dictionary();
  const { annotations, properties } = event;
  const put = (key: string, value: string | undefined) => {
    if (value !== undefined) system[key] = value;
  };
  put('connectionDeviceId', annotations['iothub-connection-device-id']);
  put('connectionModuleId', annotations['iothub-connection-module-id']);
  put('connectionAuthMethod', annotations['iothub-connection-auth-method']);
  put('connectionDeviceGenerationId', annotations['iothub-connection-auth-generation-id']);
  put('enqueuedTime', new Date(event.enqueuedTime).toISOString());
  put('messageSource', annotations['iothub-message-source']);
  put('messageId', properties.messageId);
  put('correlationId', properties.correlationId);
  put('userId', properties.userId);
  put('contentType', properties.contentType);
  put('contentEncoding', properties.contentEncoding);
  put('dt-dataschema', annotations['dt-dataschema']);
  put('dt-subject', annotations['dt-subject']);
  const application: Record<string, JsonValue> = dictionary();
  for (const [key, value] of Object.entries(event.application)) application[key] = value;
  let body: JsonValue = event.body;
  if (properties.contentType !== undefined && JSON_CONTENT.test(properties.contentType) && (properties.contentEncoding === undefined || UTF8.test(properties.contentEncoding))) {
    try {
      body = JSON.parse(Buffer.from(event.body, 'base64').toString('utf8')) as JsonValue;
    } catch {
      body = event.body;
    }
  }
  return { EnqueuedTimeUtc: new Date(event.enqueuedTime).toISOString(), Properties: application, SystemProperties: system, Body: body };
}
