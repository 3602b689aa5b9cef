import { abandonDeviceMessage } from './handlers/abandon-device-message.js';
import { completeDeviceMessage } from './handlers/complete-device-message.js';
import { createFileUploadSasUri, notifyFileUpload } from './handlers/file-upload.js';
import { receiveDeviceMessage } from './handlers/receive-device-message.js';
import { sendDeviceEvent } from './handlers/send-device-event.js';
import type { DeviceRouteDefinition } from './device-types.js';

/**
 * The device HTTPS API on the hub's HTTPS port (iothub-protocol-2.md §4): method → path → operation (house-style
 * H6). Every route is authorised with the SAS token of the identity its path names (`device-api.ts`). Literal
 * segments compare case-insensitively, so C#'s `deviceBound` matches too (checklist 151). C2D has no module form.
 */
export const DEVICE_ROUTES: readonly DeviceRouteDefinition[] = [
  { method: 'POST', pattern: '/devices/{deviceId}/messages/events', operation: sendDeviceEvent, traffic: 'telemetry' },
  { method: 'POST', pattern: '/devices/{deviceId}/modules/{moduleId}/messages/events', operation: sendDeviceEvent, traffic: 'telemetry' },
  { method: 'GET', pattern: '/devices/{deviceId}/messages/devicebound', operation: receiveDeviceMessage, traffic: 'c2d' },
  { method: 'DELETE', pattern: '/devices/{deviceId}/messages/devicebound/{lockToken}', operation: completeDeviceMessage, traffic: 'c2d' },
  { method: 'POST', pattern: '/devices/{deviceId}/messages/devicebound/{lockToken}/abandon', operation: abandonDeviceMessage, traffic: 'c2d' },
  // File upload: no storage account is linked, so the hub answers as IoT Hub without one (handlers/file-upload.ts).
  { method: 'POST', pattern: '/devices/{deviceId}/files', operation: createFileUploadSasUri, traffic: 'other' },
  { method: 'POST', pattern: '/devices/{deviceId}/files/notifications', operation: notifyFileUpload, traffic: 'other' },
  { method: 'POST', pattern: '/devices/{deviceId}/files/notifications/{correlationId}', operation: notifyFileUpload, traffic: 'other' },
];
