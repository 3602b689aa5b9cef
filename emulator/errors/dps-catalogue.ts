import { IotHubError } from './iothub-error.js';

// The errors of the provisioning service (DPS) that lives in the hub, with DPS's numeric codes
// (iothub-protocol-2.md §2.5): the same IotHubError type as the hub's catalogue (house-style H9), kept apart because
// DPS answers in its own envelope (`to-dps.ts`) and its codes are not the hub's. Codes marked [I] are the emulator's
// reading of DPS's numbering (4xx + 3 digits); the status codes are the documented ones.

/** 400004: a body or field DPS cannot accept (bad JSON shape, bad key, bad id). */
export function dpsBadRequest(message: string): IotHubError {
  return new IotHubError({ code: 'BadRequest', httpStatus: 400, errorCode: 400004, message });
}

/** 401002: missing, malformed, expired or wrongly signed SAS token; no enrollment matches the device's key. */
export function dpsUnauthorized(message = 'Unauthorized'): IotHubError {
  return new IotHubError({ code: 'Unauthorized', httpStatus: 401, errorCode: 401002, message });
}

/** 404201 [I]: no individual enrollment with this registration id. */
export function enrollmentNotFound(registrationId: string): IotHubError {
  return new IotHubError({ code: 'EnrollmentNotFound', httpStatus: 404, errorCode: 404201, message: `Enrollment '${registrationId}' not found.` });
}

/** 404202 [I]: no enrollment group with this id. */
export function enrollmentGroupNotFound(enrollmentGroupId: string): IotHubError {
  return new IotHubError({ code: 'EnrollmentGroupNotFound', httpStatus: 404, errorCode: 404202, message: `Enrollment group '${enrollmentGroupId}' not found.` });
}

/** 404203 [I]: no registration state for this registration id (it never registered, or the state was deleted). */
export function registrationNotFound(registrationId: string): IotHubError {
  return new IotHubError({ code: 'DeviceRegistrationNotFound', httpStatus: 404, errorCode: 404203, message: `Device registration '${registrationId}' not found.` });
}

/** 404204 [I]: a poll for an operation id this service never issued (or issued for another registration id). */
export function operationNotFound(operationId: string): IotHubError {
  return new IotHubError({ code: 'OperationNotFound', httpStatus: 404, errorCode: 404204, message: `Operation '${operationId}' not found.` });
}

/** 404: a path the provisioning service does not serve. */
export function dpsRouteNotFound(method: string, path: string): IotHubError {
  return new IotHubError({ code: 'NotFound', httpStatus: 404, errorCode: 404000, message: `The provisioning service has no ${method} ${path}.` });
}

/** 412: `If-Match` names an etag that is not the record's current one. */
export function dpsPreconditionFailed(): IotHubError {
  return new IotHubError({ code: 'PreconditionFailed', httpStatus: 412, errorCode: 412002, message: 'Precondition failed: the etag does not match the current version.' });
}

/** 401: the DPS service policy lacks the right an operation needs. */
export function dpsMissingRight(policyName: string, right: string): IotHubError {
  return new IotHubError({ code: 'Unauthorized', httpStatus: 401, errorCode: 401002, message: `The policy '${policyName}' lacks the ${right} right.` });
}

/** 400: an attestation type the emulator does not verify (TPM). */
export function attestationNotSupported(type: string): IotHubError {
  return new IotHubError({ code: 'NotSupported', httpStatus: 400, errorCode: 400004, message: `Attestation type '${type}' is not emulated; use symmetricKey or x509.` });
}

/** 409201 [I]: a bulk `create` names an enrollment that exists. */
export function enrollmentAlreadyExists(registrationId: string): IotHubError {
  return new IotHubError({ code: 'Conflict', httpStatus: 409, errorCode: 409201, message: `Enrollment '${registrationId}' already exists.` });
}
