import { argumentInvalid } from '../../errors/catalogue.js';
import { isJsonObject } from '../../model/json.js';
import type { CaCertificateService } from '../../services/ca-certificate-service.js';
import type { ConsumerGroupService } from '../../services/consumer-group-service.js';
import type { RoutingService } from '../../services/routing-service.js';
import type { HubResourceFacts } from './hub-resource-routes.js';
import { certificateJson, type ResourceScope } from './certificate-json.js';
import type { RoutePattern } from './router.js';

/** A management request after the edge authenticated it (management-api.ts). */
export interface ManagementRequest {
  readonly scope: ResourceScope;
  readonly params: Readonly<Record<string, string>>;
  /** `If-Match`, when sent. */
  readonly ifMatch: string | undefined;
  /** The JSON body (undefined when none). */
  readonly body: unknown;
}

/** What a management operation answers. */
export interface ManagementResponse {
  readonly status: number;
  readonly body?: unknown;
}

/** The services the management plane calls. */
export interface ManagementServices {
  readonly certificates: CaCertificateService;
  readonly consumerGroups: ConsumerGroupService;
  readonly routing: RoutingService;
  readonly hubResource: HubResourceFacts;
}

/** One Resource Manager operation on the hub. */
export interface ManagementRoute extends RoutePattern {
  readonly method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  readonly operation: (request: ManagementRequest, services: ManagementServices) => Promise<ManagementResponse>;
}

const HUB = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Devices/IotHubs/{resourceName}';

/**
 * The Resource Manager paths of `IotHubClient.certificates` (`@azure/arm-iothub`, iothub-protocol-2.md §1.3): list,
 * get, createOrUpdate (If-Match to replace), delete (If-Match), generateVerificationCode (If-Match), verify (If-Match).
 */
export const MANAGEMENT_ROUTES: readonly ManagementRoute[] = [
  { method: 'GET', pattern: `${HUB}/certificates`, operation: listCertificates },
  { method: 'GET', pattern: `${HUB}/certificates/{certificateName}`, operation: getCertificate },
  { method: 'PUT', pattern: `${HUB}/certificates/{certificateName}`, operation: putCertificate },
  { method: 'DELETE', pattern: `${HUB}/certificates/{certificateName}`, operation: deleteCertificate },
  { method: 'POST', pattern: `${HUB}/certificates/{certificateName}/generateVerificationCode`, operation: generateVerificationCode },
  { method: 'POST', pattern: `${HUB}/certificates/{certificateName}/verify`, operation: verifyCertificate },
];

function listCertificates(request: ManagementRequest, services: ManagementServices): Promise<ManagementResponse> {
  const value = services.certificates.list().map((record) => certificateJson(record, request.scope));
  return Promise.resolve({ status: 200, body: { value } });
}

function getCertificate(request: ManagementRequest, services: ManagementServices): Promise<ManagementResponse> {
  return Promise.resolve({ status: 200, body: certificateJson(services.certificates.get(nameOf(request)), request.scope) });
}

async function putCertificate(request: ManagementRequest, services: ManagementServices): Promise<ManagementResponse> {
  const properties = isJsonObject(request.body) && isJsonObject(request.body.properties) ? request.body.properties : undefined;
  if (!properties || typeof properties.certificate !== 'string') throw argumentInvalid('The body must be {"properties":{"certificate":"<PEM>"}}.');
  if (properties.isVerified !== undefined && typeof properties.isVerified !== 'boolean') throw argumentInvalid('properties.isVerified must be a boolean.');
  const upload = { certificate: properties.certificate, ...(properties.isVerified === undefined ? {} : { isVerified: properties.isVerified }) };
  const { record, created } = await services.certificates.upload(nameOf(request), upload, request.ifMatch);
  return { status: created ? 201 : 200, body: certificateJson(record, request.scope) };
}

async function deleteCertificate(request: ManagementRequest, services: ManagementServices): Promise<ManagementResponse> {
  // "Deletes an existing X509 certificate or does nothing if it does not exist": 200, or 204 for nothing.
  return { status: (await services.certificates.delete(nameOf(request), request.ifMatch)) ? 200 : 204 };
}

async function generateVerificationCode(request: ManagementRequest, services: ManagementServices): Promise<ManagementResponse> {
  const record = await services.certificates.generateVerificationCode(nameOf(request), request.ifMatch);
  return { status: 200, body: certificateJson(record, request.scope, true) };
}

async function verifyCertificate(request: ManagementRequest, services: ManagementServices): Promise<ManagementResponse> {
  const certificate = isJsonObject(request.body) ? request.body.certificate : undefined;
  if (typeof certificate !== 'string') throw argumentInvalid('The body must be {"certificate":"<PEM of the verification certificate>"}.');
  const record = await services.certificates.verify(nameOf(request), request.ifMatch, certificate);
  return { status: 200, body: certificateJson(record, request.scope) };
}

function nameOf(request: ManagementRequest): string {
  return request.params.certificateName ?? '';
}
