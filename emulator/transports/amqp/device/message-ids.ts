import rhea from 'rhea';

/** AMQP `uuid` values arrive as 16-byte Buffers (rhea), strings as strings; both become text here. */
export function idText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Buffer.isBuffer(value)) return value.length === 16 ? rhea.uuid_to_string(value) : value.toString('utf8');
  return String(value);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A uuid-looking id goes on the wire as an AMQP `uuid` (as IoT Hub and the SDKs send them), anything else as a string. */
export function wireId(text: string): string | Buffer {
  return UUID.test(text) ? rhea.string_to_uuid(text) : text;
}
