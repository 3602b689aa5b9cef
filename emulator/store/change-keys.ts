import type { HubChange } from '../model/changes.js';
import type { TwinAddress } from '../model/twin-address.js';

/**
 * The records a change replaces, as conflict keys for a store shared by several hub nodes (the Redis store). They
 * follow the records of the services' latest-state overlay (`services/hub-data.ts`): a device record with its twin
 * (`d:`), a module with its twin (`m:`), a C2D queue (`q:`), a session (`s:`), the policies (`p`), a CA certificate
 * (`c:`), the routing (`routing`), and one key per record of the other maps. Two writes conflict when they replace the same record; a write
 * is stale when another node replaced one of its records after the state the write was planned against.
 */
export function changeKeys(change: HubChange): string[] {
  switch (change.kind) {
    case 'policiesSet':
      return ['p'];
    case 'devicePut':
      return [`d:${change.record.deviceId}`];
    case 'deviceDeleted':
      // The queue and the modules go with the device; a write to them planned before the delete must fail too.
      return [`d:${change.deviceId}`, `q:${change.deviceId}`];
    case 'modulePut':
      return [`m:${change.record.deviceId}/${change.record.moduleId}`];
    case 'moduleDeleted':
      return [`m:${change.deviceId}/${change.moduleId}`];
    case 'twinWritten':
    case 'modelIdSet':
    case 'twinConfigurationsSet':
    case 'twinHistorySet':
      return [ownerKey(change.target)];
    case 'sessionSaved':
      return [`s:${change.clientId}`];
    case 'c2dEnqueued':
    case 'c2dDelivered':
    case 'c2dRemoved':
      return [`q:${change.deviceId}`];
    case 'caCertificatePut':
      return [`c:${change.record.name}`];
    case 'caCertificateDeleted':
      return [`c:${change.name}`];
    case 'consumerGroupPut':
      return [`g:${change.record.name.toLowerCase()}`];
    case 'consumerGroupDeleted':
      return [`g:${change.name.toLowerCase()}`];
    case 'jobPut':
      return [`j:${change.job.jobId}`];
    case 'jobDevicesPut':
    case 'jobDeleted':
      return [`j:${change.jobId}`];
    case 'configurationPut':
      return [`f:${change.record.id}`];
    case 'configurationDeleted':
      return [`f:${change.id}`];
    case 'routingSet':
      return ['routing'];
    case 'dpsInstanceSet':
      return ['dps'];
    case 'enrollmentPut':
      return [`e:${change.record.registrationId.toLowerCase()}`];
    case 'enrollmentDeleted':
      return [`e:${change.registrationId.toLowerCase()}`];
    case 'enrollmentGroupPut':
      return [`eg:${change.record.enrollmentGroupId.toLowerCase()}`];
    case 'enrollmentGroupDeleted':
      return [`eg:${change.enrollmentGroupId.toLowerCase()}`];
    case 'registrationPut':
      return [`r:${change.record.registrationId.toLowerCase()}`];
    case 'registrationDeleted':
      return [`r:${change.registrationId.toLowerCase()}`];
  }
}

function ownerKey(address: TwinAddress): string {
  return address.moduleId === undefined ? `d:${address.deviceId}` : `m:${address.deviceId}/${address.moduleId}`;
}
