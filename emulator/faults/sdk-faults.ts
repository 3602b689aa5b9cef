import { getOwn } from '../util/own-keys.js';

/**
 * The Azure IoT SDKs' fault-injection convention (iothub-protocol-2.md §10.3): a device-to-cloud message with these
 * application properties asks the hub to misbehave towards the sending connection. The names and the set of types
 * are the ones the SDKs' end-to-end tests send (C# `FaultInjectionConstants.cs`, Node `e2etests/test/*_disconnect.js`
 * and `sdklab/stress_fault`).
 */
export const FAULT_PROPERTY = {
  type: 'AzIoTHub_FaultOperationType',
  closeReason: 'AzIoTHub_FaultOperationCloseReason',
  delay: 'AzIoTHub_FaultOperationDelayInSecs',
  duration: 'AzIoTHub_FaultOperationDurationInSecs',
} as const;

/** Faults that end the connection, or a part of it (an AMQP session or link). */
export const SDK_DISCONNECT_FAULTS = [
  'KillTcp',
  'KillAmqpConnection',
  'KillAmqpSession',
  'KillAmqpCBSLinkReq',
  'KillAmqpCBSLinkResp',
  'KillAmqpD2CLink',
  'KillAmqpC2DLink',
  'KillAmqpTwinLinkReq',
  'KillAmqpTwinLinkResp',
  'KillAmqpMethodReqLink',
  'KillAmqpMethodRespLink',
  'ShutDownAmqp',
  'ShutDownMqtt',
] as const;

/** Faults that make the device's operations fail for the duration, without a disconnect (C# `FaultShouldDisconnect`). */
export const SDK_ERROR_FAULTS = ['InvokeThrottling', 'InvokeMaxMessageQuota', 'InvokeAuthError'] as const;

export type SdkDisconnectFault = (typeof SDK_DISCONNECT_FAULTS)[number];
export type SdkErrorFault = (typeof SDK_ERROR_FAULTS)[number];
export type SdkFaultType = SdkDisconnectFault | SdkErrorFault;

export const SDK_FAULT_TYPES: readonly SdkFaultType[] = [...SDK_DISCONNECT_FAULTS, ...SDK_ERROR_FAULTS];

/** The delay and duration the C# e2e helpers use when a message leaves them out (`FaultInjection.cs`). */
export const DEFAULT_SDK_FAULT_DELAY_SECONDS = 2;
export const DEFAULT_SDK_FAULT_DURATION_SECONDS = 5;
/** Longest delay or duration honoured (an hour): a typo must not park a device in fault mode for days. */
const MAX_SECONDS = 3600;

/** A fault a device asked for with the properties above. */
export interface SdkFaultRequest {
  readonly type: SdkFaultType;
  readonly closeReason: string;
  readonly delayMs: number;
  readonly durationMs: number;
}

/** What a message's properties ask for: nothing (an ordinary message), a fault, or a malformed request. */
export type SdkFaultParse = { readonly kind: 'none' } | { readonly kind: 'fault'; readonly fault: SdkFaultRequest } | { readonly kind: 'invalid'; readonly reason: string };

/**
 * Reads the fault-injection properties of a device-to-cloud message (application properties, values as sent). Names
 * match without regard to case: over HTTPS they travel as `iothub-app-…` headers, which arrive lower-cased.
 */
export function parseSdkFault(properties: Readonly<Record<string, string | null>>): SdkFaultParse {
  const application = byLowerCaseName(properties);
  const type = getOwn(application, FAULT_PROPERTY.type.toLowerCase());
  if (type === undefined) return { kind: 'none' };
  if (type === null || !(SDK_FAULT_TYPES as readonly string[]).includes(type)) {
    return { kind: 'invalid', reason: `${FAULT_PROPERTY.type} '${String(type)}' is not one of ${SDK_FAULT_TYPES.join(', ')}` };
  }
  const delay = seconds(getOwn(application, FAULT_PROPERTY.delay.toLowerCase()), DEFAULT_SDK_FAULT_DELAY_SECONDS);
  if (typeof delay === 'string') return { kind: 'invalid', reason: `${FAULT_PROPERTY.delay} ${delay}` };
  const duration = seconds(getOwn(application, FAULT_PROPERTY.duration.toLowerCase()), DEFAULT_SDK_FAULT_DURATION_SECONDS);
  if (typeof duration === 'string') return { kind: 'invalid', reason: `${FAULT_PROPERTY.duration} ${duration}` };
  return {
    kind: 'fault',
    fault: { type: type as SdkFaultType, closeReason: getOwn(application, FAULT_PROPERTY.closeReason.toLowerCase()) ?? '', delayMs: delay * 1000, durationMs: duration * 1000 },
  };
}

/** The `AzIoTHub_…` properties by lower-case name, in a null-prototype object (only those; the rest is telemetry). */
function byLowerCaseName(properties: Readonly<Record<string, string | null>>): Record<string, string | null> {
  const out = Object.create(null) as Record<string, string | null>;
  for (const [name, value] of Object.entries(properties)) if (name.toLowerCase().startsWith('aziothub_')) out[name.toLowerCase()] = value;
  return out;
}

/** True for the types that end a connection or a part of it. */
export function isDisconnectFault(type: SdkFaultType): type is SdkDisconnectFault {
  return (SDK_DISCONNECT_FAULTS as readonly string[]).includes(type);
}

/** Seconds as the SDKs send them: C# `"2"` (invariant culture, may be `"0.5"`), Node a number turned to text. */
function seconds(raw: string | null | undefined, fallback: number): number | string {
  if (raw === undefined || raw === null || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > MAX_SECONDS) return `must be a number of seconds from 0 to ${MAX_SECONDS}, got '${raw}'`;
  return value;
}
