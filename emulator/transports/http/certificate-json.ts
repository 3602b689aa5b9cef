import type { CaCertificateRecord } from '../../model/ca-certificate.js';

/** Where the certificate resource lives in Resource Manager's namespace (the `id` of the resource). */
export interface ResourceScope {
  readonly subscriptionId: string;
  readonly resourceGroupName: string;
  readonly resourceName: string;
}

/**
 * A CA certificate as `@azure/arm-iothub` reads it (`CertificateDescription`, iothub-protocol-2.md §1.3): dates in
 * RFC 1123, `etag` at the top level, `verificationCode` only in the answer of `generateVerificationCode`.
 */
export function certificateJson(record: CaCertificateRecord, scope: ResourceScope, withCode = false): Record<string, unknown> {
  return {
    properties: {
      subject: record.subject,
      expiry: new Date(record.expiry).toUTCString(),
      thumbprint: record.thumbprint,
      isVerified: record.isVerified,
      created: new Date(record.created).toUTCString(),
      updated: new Date(record.updated).toUTCString(),
      ...(withCode ? { verificationCode: record.verificationCode } : {}),
      certificate: record.certificate,
    },
    id: `/subscriptions/${scope.subscriptionId}/resourceGroups/${scope.resourceGroupName}/providers/Microsoft.Devices/IotHubs/${scope.resourceName}/certificates/${record.name}`,
    name: record.name,
    type: 'Microsoft.Devices/IotHubs/Certificates',
    etag: record.etag,
  };
}
