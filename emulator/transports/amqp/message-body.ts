/**
 * The bytes of an AMQP message body as rhea decodes it: a data section (what the SDKs send, `{content}`), a Buffer, a
 * string (UTF-8), nothing (empty), or another AMQP value (its JSON). Shared by service C2D sends and device links.
 */
export function bodyBytesOf(body: unknown): Buffer {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (typeof body === 'object' && 'content' in body) return bodyBytesOf((body as { content: unknown }).content);
  return Buffer.from(JSON.stringify(body), 'utf8');
}
