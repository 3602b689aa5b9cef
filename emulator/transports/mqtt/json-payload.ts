import { malformedJson } from '../../errors/catalogue.js';
import type { IotHubError } from '../../errors/iothub-error.js';

/** Parses a device's JSON payload; malformed JSON is a result, not a throw (house-style H8). */
export function parseJsonPayload(payload: Buffer): { ok: true; value: unknown; text: string } | { ok: false; error: IotHubError } {
  try {
    const text = payload.toString('utf8');
    return { ok: true, value: JSON.parse(text) as unknown, text };
  } catch (error) {
    return { ok: false, error: malformedJson((error as Error).message) };
  }
}
