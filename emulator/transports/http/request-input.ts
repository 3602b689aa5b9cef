import { argumentInvalid, messageTooLarge } from '../../errors/catalogue.js';
import type { AuthenticationType, DeviceStatus } from '../../model/device.js';
import type { JsonValue } from '../../model/json.js';
import { isJsonObject } from '../../model/json.js';
import { checkDeviceId, checkModuleId } from '../../services/identity-rules.js';
import { METHOD_LIMITS, type MethodInvocation } from '../../services/method-service.js';
import type { ModuleInput } from '../../services/module-service.js';
import type { DeviceInput } from '../../services/registry-service.js';
import { parseServiceTwinBody, type ServiceTwinBody } from '../../twin/service-twin-body.js';
import { checkIntegerLiteralsOf } from '../../twin/validate-patch.js';
import type { RestRequest } from './rest-types.js';

// Turns raw REST input (path ids, headers, JSON bodies) into the typed values services accept (house-style H8).
// Every problem is a 400 ArgumentInvalid (or 413) thrown before any service is called, so nothing is stored.

/** The `{deviceId}` route parameter, checked against the registry's id rules (checklist 72). */
export function deviceIdOf(request: RestRequest): string {
  const deviceId = request.params.deviceId ?? '';
  const error = checkDeviceId(deviceId);
  if (error) throw error;
  return deviceId;
}

/** The `{moduleId}` route parameter, checked against the module id rules. */
export function moduleIdOf(request: RestRequest): string {
  const moduleId = request.params.moduleId ?? '';
  const error = checkModuleId(moduleId);
  if (error) throw error;
  return moduleId;
}

/** A module identity body of `PUT /devices/{d}/modules/{m}`; ids in the body must match the path. */
export function moduleInputOf(request: RestRequest, deviceId: string, moduleId: string): ModuleInput {
  const body = objectBody(request);
  if (body.deviceId !== undefined && body.deviceId !== deviceId) throw argumentInvalid('The deviceId in the body does not match the path.');
  if (body.moduleId !== undefined && body.moduleId !== moduleId) throw argumentInvalid('The moduleId in the body does not match the path.');
  const managedBy = body.managedBy;
  if (managedBy !== undefined && managedBy !== null && typeof managedBy !== 'string') throw argumentInvalid('managedBy must be a string.');
  const input: { -readonly [K in keyof ModuleInput]: ModuleInput[K] } = { deviceId, moduleId };
  if (managedBy !== undefined) input.managedBy = managedBy as string | null;
  if (body.authentication !== undefined && body.authentication !== null) input.authentication = authenticationOf(body.authentication);
  return input;
}

/** The `If-Match` header, if any (quotes and `*` are handled by the services, §7.5). */
export function ifMatchOf(request: RestRequest): string | undefined {
  const value = request.headers['if-match'];
  return Array.isArray(value) ? value[0] : value;
}

/** A single request header's value. */
export function headerOf(request: RestRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The JSON object body, or 400 when it is missing or not an object. */
export function objectBody(request: RestRequest): Record<string, unknown> {
  if (!isJsonObject(request.body)) throw argumentInvalid('The request body must be a JSON object.');
  return request.body;
}

const STATUSES: readonly DeviceStatus[] = ['enabled', 'disabled'];
const AUTH_TYPES: readonly AuthenticationType[] = ['sas', 'selfSigned', 'certificateAuthority', 'none'];

/** A device identity body of `PUT /devices/{id}` (§8.3); `deviceId` in the body must equal the path id. */
export function deviceInputOf(request: RestRequest, deviceId: string): DeviceInput {
  const body = objectBody(request);
  if (body.deviceId !== undefined && body.deviceId !== deviceId) {
    throw argumentInvalid(`The deviceId in the body ('${String(body.deviceId)}') does not match the path ('${deviceId}').`);
  }
  const status = optional(body.status, 'status', (v) => typeof v === 'string' && STATUSES.includes(v as DeviceStatus)) as DeviceStatus | undefined;
  const statusReason = body.statusReason;
  if (statusReason !== undefined && statusReason !== null && (typeof statusReason !== 'string' || statusReason.length > 128)) {
    throw argumentInvalid('statusReason must be a string of at most 128 characters.');
  }
  const input: { -readonly [K in keyof DeviceInput]: DeviceInput[K] } = { deviceId };
  if (status !== undefined) input.status = status;
  if (statusReason !== undefined) input.statusReason = statusReason as string | null;
  if (body.authentication !== undefined && body.authentication !== null) input.authentication = authenticationOf(body.authentication);
  if (isJsonObject(body.capabilities) && typeof body.capabilities.iotEdge === 'boolean') {
    input.capabilities = { iotEdge: body.capabilities.iotEdge };
  }
  return input;
}

function authenticationOf(value: unknown): NonNullable<DeviceInput['authentication']> {
  if (!isJsonObject(value)) throw argumentInvalid('authentication must be a JSON object.');
  const type = optional(value.type, 'authentication.type', (v) => typeof v === 'string' && AUTH_TYPES.includes(v as AuthenticationType));
  const keys = isJsonObject(value.symmetricKey) ? value.symmetricKey : {};
  const prints = isJsonObject(value.x509Thumbprint) ? value.x509Thumbprint : {};
  return {
    ...(type === undefined ? {} : { type: type as AuthenticationType }),
    symmetricKey: { primaryKey: stringOrNull(keys.primaryKey, 'primaryKey'), secondaryKey: stringOrNull(keys.secondaryKey, 'secondaryKey') },
    x509Thumbprint: {
      primaryThumbprint: stringOrNull(prints.primaryThumbprint, 'primaryThumbprint'),
      secondaryThumbprint: stringOrNull(prints.secondaryThumbprint, 'secondaryThumbprint'),
    },
  };
}

/** Method names: printable US-ASCII without separators and spaces (iothub-protocol.md §5.1). */
const METHOD_NAME = /^[!#%&'*+\-.0-9A-Z^_`a-z|~]+$/;

/** The body of `POST /twins/{id}/methods` (§5.2): name rules, timeout ranges, payload ≤ 128 KB. */
export function methodInvocationOf(request: RestRequest, deviceId: string, moduleId?: string): MethodInvocation {
  return methodInvocationFrom(objectBody(request), deviceId, moduleId);
}

/** A method call body (`{methodName, payload, responseTimeoutInSeconds, connectTimeoutInSeconds}`), checked. */
export function methodInvocationFrom(body: Record<string, unknown>, deviceId: string, moduleId?: string): MethodInvocation {
  const methodName = body.methodName;
  if (typeof methodName !== 'string' || methodName === '') throw argumentInvalid('methodName is required.');
  if (!METHOD_NAME.test(methodName)) {
    throw argumentInvalid(`The method name '${methodName}' is invalid: use printable ASCII without spaces or any of $ ( ) < > @ , ; : \\ " / [ ] ? = { }.`);
  }
  const response = seconds(body.responseTimeoutInSeconds, 'responseTimeoutInSeconds', METHOD_LIMITS.responseTimeout);
  const connect = seconds(body.connectTimeoutInSeconds, 'connectTimeoutInSeconds', METHOD_LIMITS.connectTimeout);
  const payload = (body.payload ?? null) as JsonValue;
  const bytes = Buffer.byteLength(JSON.stringify(payload));
  if (bytes > METHOD_LIMITS.payloadBytes) {
    throw messageTooLarge(`The method payload is ${bytes} bytes; the maximum is ${METHOD_LIMITS.payloadBytes}.`);
  }
  return {
    deviceId,
    ...(moduleId === undefined ? {} : { moduleId }),
    methodName,
    payload,
    responseTimeoutInSeconds: response,
    connectTimeoutInSeconds: connect,
  };
}

function seconds(value: unknown, name: string, range: { min: number; max: number; default: number }): number {
  if (value === undefined || value === null) return range.default;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < range.min || value > range.max) {
    throw argumentInvalid(`${name} must be an integer from ${range.min} to ${range.max}, got ${JSON.stringify(value)}.`);
  }
  return value;
}

function optional(value: unknown, name: string, valid: (value: unknown) => boolean): unknown {
  if (value === undefined || value === null) return undefined;
  if (!valid(value)) throw argumentInvalid(`'${name}' has an invalid value ${JSON.stringify(value)}.`);
  return value;
}

function stringOrNull(value: unknown, name: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw argumentInvalid(`'${name}' must be a string.`);
  return value;
}

/** A twin PATCH/PUT body, validated into the parts the hub acts on (iothub-protocol.md §7.4). */
export function serviceTwinBodyOf(request: RestRequest): ServiceTwinBody {
  checkIntegerLiteralsIn(request);
  return parseServiceTwinBody(request.body, 'literal');
}

/** 400 when the body's text holds an integer literal outside ±2^52 (a float literal of any size is fine, §7.3). */
export function checkIntegerLiteralsIn(request: RestRequest): void {
  const error = checkIntegerLiteralsOf(request.bodyText);
  if (error) throw error;
}
