import { PassThrough } from 'node:stream';
import type { IncomingMessage } from 'node:http';

import { describe, expect, it } from 'vitest';

import { MAX_REST_BODY_BYTES, readJsonBody } from '../../../../../emulator/transports/http/request-body.js';

function requestOf(body: string | Buffer, headers: Record<string, string> = {}): IncomingMessage {
  const stream = new PassThrough();
  Object.assign(stream, { headers });
  stream.end(body);
  return stream as unknown as IncomingMessage;
}

describe('readJsonBody', () => {
  it('parses JSON and treats an empty body as none', async () => {
    expect(await readJsonBody(requestOf('{"a":1}'))).toMatchObject({ ok: true, value: { a: 1 } });
    expect(await readJsonBody(requestOf(''))).toMatchObject({ ok: true, value: undefined });
  });

  it('answers malformed JSON with 400 IotHubFormatError', async () => {
    const result = await readJsonBody(requestOf('{"a":'));
    expect(result).toMatchObject({ ok: false, abort: false, error: { httpStatus: 400, code: 'IotHubFormatError' } });
  });

  it('answers a body over the limit with 413 MessageTooLarge, by length header or by counting', async () => {
    const big = Buffer.alloc(MAX_REST_BODY_BYTES + 1, 0x20);
    expect(await readJsonBody(requestOf(big))).toMatchObject({ ok: false, abort: false, error: { httpStatus: 413, code: 'MessageTooLarge' } });
    const declared = await readJsonBody(requestOf('{}', { 'content-length': String(MAX_REST_BODY_BYTES + 1) }));
    expect(declared).toMatchObject({ ok: false, error: { code: 'MessageTooLarge' } });
    const absurd = await readJsonBody(requestOf('{}', { 'content-length': String(64 * 1024 * 1024) }));
    expect(absurd).toMatchObject({ ok: false, abort: true });
  });
});
