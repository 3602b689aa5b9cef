import type { IncomingMessage } from 'node:http';

import { malformedJson, requestBodyTooLarge } from '../../errors/catalogue.js';
import type { IotHubError } from '../../errors/iothub-error.js';

/**
 * Largest REST body accepted: 256 KB. The biggest legal bodies are a direct-method call (128 KB payload plus its
 * envelope, iothub-protocol.md §5.1) and a 100-device bulk registry call; 256 KB is also IoT Hub's largest message
 * (D2C, §10). Nothing valid is larger, so the body is refused before it is buffered or parsed (413
 * MessageTooLarge) and one client cannot make the emulator hold megabytes.
 */
export const MAX_REST_BODY_BYTES = 256 * 1024;

/** Past this, the rest of an oversized body is not even drained: the connection is closed. */
const MAX_DRAIN_BYTES = 16 * 1024 * 1024;

/** The parsed JSON body (undefined for an empty body), or the hub error to answer with. */
export type BodyResult = { ok: true; value: unknown; bytes: number; text: string } | { ok: false; error: IotHubError; abort: boolean };

/** The raw body bytes, or the hub error to answer with (`abort`: close the connection after the reply). */
export type RawBodyResult = { ok: true; value: Buffer } | { ok: false; error: IotHubError; abort: boolean };

/**
 * Reads a request body with the size limit. An oversized body is drained (so the client can read the 413 instead of
 * seeing a reset) unless it is absurdly large. Device telemetry bodies are bytes, not JSON.
 */
export function readRawBody(request: IncomingMessage, limit = MAX_REST_BODY_BYTES): Promise<RawBodyResult> {
  return new Promise((resolve) => {
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > MAX_DRAIN_BYTES) {
      resolve({ ok: false, error: requestBodyTooLarge(limit), abort: true });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number.isFinite(declared) && declared > limit;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      if (size > MAX_DRAIN_BYTES) {
        request.pause();
        resolve({ ok: false, error: requestBodyTooLarge(limit), abort: true });
        return;
      }
      if (!tooLarge) chunks.push(chunk);
    });
    request.on('error', () => resolve({ ok: false, error: malformedJson('the request body could not be read'), abort: true }));
    request.on('end', () => {
      resolve(tooLarge ? { ok: false, error: requestBodyTooLarge(limit), abort: false } : { ok: true, value: Buffer.concat(chunks) });
    });
  });
}

/** Reads and parses a JSON request body with the size limit ({@link readRawBody}). */
export async function readJsonBody(request: IncomingMessage, limit = MAX_REST_BODY_BYTES): Promise<BodyResult> {
  const raw = await readRawBody(request, limit);
  if (!raw.ok) return raw;
  const text = raw.value.toString('utf8');
  if (text.trim() === '') return { ok: true, value: undefined, bytes: raw.value.length, text };
  try {
    return { ok: true, value: JSON.parse(text) as unknown, bytes: raw.value.length, text };
  } catch (error) {
    return { ok: false, error: malformedJson(error instanceof Error ? error.message : 'invalid JSON'), abort: false };
  }
}
