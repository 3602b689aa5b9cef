// The emulator's one front door (house-style H4): `main/`, the CLI and tests import only this file.
import type { EmulatorConfig } from './config.js';
import { HubEmulator } from './emulator.js';

export type { ClusterConfig, EmulatorConfig, PortConfig } from './config.js';
export { DEFAULT_PORTS, defaultDataDir } from './config.js';
export type { WireLimits } from './transports/wire-limits.js';
export type { TierConfig } from './services/tiers/tier-emulation.js';
export { RequestGate, type GateCheck, type GateDetails, type GateRequest } from './services/request-gate.js';
export type { OperationFamily } from './services/operation-families.js';
export { DEFAULT_WIRE_LIMITS } from './transports/wire-limits.js';
export type { EmulatorInfo, EmulatorStatus, PolicyInfo } from './emulator.js';
export { HubEmulator } from './emulator.js';
export type { HubEvents, TrafficEvent } from './events.js';
export type { Logger } from './logger.js';
export { consoleLogger, noopLogger } from './logger.js';
export type { DeviceInput } from './services/registry-service.js';
export type { C2dFeedbackRecord, C2dMessageInput } from './services/c2d-service.js';
export type { MethodInvocation, MethodResult } from './services/method-service.js';
export type { TelemetryMessage } from './services/telemetry-service.js';
export type { CaCertificateUpload } from './services/ca-certificate-service.js';
export type { CaCertificateRecord } from './model/ca-certificate.js';
export type { X509DeviceCredential, X509DeviceRequest, X509Mode } from './x509-devices.js';
export { DEVICE_CA_CERTIFICATE_NAME } from './x509-devices.js';
export type { EnrollmentService, BulkMode, BulkResult } from './provisioning/enrollment-service.js';
export type { EnrollmentGroupInput, EnrollmentInput } from './provisioning/enrollment-records.js';
export { deriveDeviceKey } from './provisioning/symmetric-key-attestation.js';
export type { FleetApi } from './fleet-api.js';
export type { SnapshotInfo, SnapshotsApi } from './snapshots-api.js';
export type { HeldKind, HeldMessage, StepGate, StepGateSettings } from './services/step-gate.js';
export type { DigitalTwinCommand, DigitalTwinService } from './services/digital-twins/digital-twin-service.js';
export type { FleetConfig } from './fleet-config.js';
export type { C2dAck, PolicyRight, StoredC2dMessage } from './model/hub-state.js';
export type { QueryPage } from './query/index.js';
export { QueryError } from './query/index.js';
export { IotHubError } from './errors/iothub-error.js';
export { StoreCorruptError } from './store/store-corrupt-error.js';
export type { StoreStats } from './store/store.js';
export { ManualClock, systemClock, type Clock } from './util/clock.js';
export * from './faults/index.js';
export * from './model/index.js';
export * from './simulation/index.js';
export * from './client-kit.js';

/** Creates an emulator; nothing listens until `start()`. */
export function createEmulator(config: EmulatorConfig = {}): HubEmulator {
  return new HubEmulator(config);
}
