import { defaultStorageEndpointNotConfigured, invalidFileUploadCorrelationId } from '../../../errors/catalogue.js';
import type { DeviceOperation } from '../device-types.js';

/**
 * `POST /devices/{id}/files` (iothub-protocol-2.md §4.5 step 1): IoT Hub hands out a blob SAS URI only when a storage
 * account is linked for file upload; this emulator links none (no storage emulator ships with it), so it answers as
 * such a hub does: 400 DefaultStorageEndpointNotConfigured (400014). Authorisation ran first, as on IoT Hub.
 */
export const createFileUploadSasUri: DeviceOperation = async () => {
  throw defaultStorageEndpointNotConfigured();
};

/**
 * `POST /devices/{id}/files/notifications[/{correlationId}]` (§4.5 step 3): no upload was ever started, so every
 * correlation id is unknown: 400 InvalidFileUploadCorrelationId (400015).
 */
export const notifyFileUpload: DeviceOperation = async (request) => {
  const fromPath = request.params.correlationId;
  let fromBody = '';
  try {
    const body = JSON.parse(request.body.toString('utf8') || '{}') as unknown;
    if (typeof body === 'object' && body !== null && typeof (body as { correlationId?: unknown }).correlationId === 'string') fromBody = (body as { correlationId: string }).correlationId;
  } catch {
    // A body that is not JSON names no correlation id; the answer is the same.
  }
  throw invalidFileUploadCorrelationId(fromPath ?? fromBody);
};
