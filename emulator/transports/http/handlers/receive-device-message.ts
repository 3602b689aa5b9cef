import { C2D_LOCK_MS } from '../../../services/c2d-rules.js';
import { c2dHeaders } from '../device-message-headers.js';
import type { DeviceOperation } from '../device-types.js';

/**
 * `GET /devices/{id}/messages/devicebound` (iothub-protocol-2.md §4.4, checklist 146-148): 204 when nothing is
 * visible, else 200 with the body bytes and the message's headers, and the message locked for the lock time (C#'s
 * `iothub-messagelocktimeout` query parameter in seconds, else IoT Hub's default of one minute).
 */
export const receiveDeviceMessage: DeviceOperation = async (request, services) => {
  const locked = await services.c2d.lock(request.address.deviceId, lockTimeoutMs(request.query), request.context);
  if (!locked) return { status: 204 };
  return { status: 200, body: Buffer.from(locked.message.body, 'base64'), headers: c2dHeaders(locked) };
};

function lockTimeoutMs(query: URLSearchParams): number {
  const seconds = Number(query.get('iothub-messagelocktimeout') ?? Number.NaN);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : C2D_LOCK_MS.default;
}
