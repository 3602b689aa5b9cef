import { MAX_D2C_BODY_BYTES } from './telemetry-service.js';

// Strict (the default) and lenient mode (config `lenient`, CLI `--lenient`) in one place: each thing lenient mode
// accepts that IoT Hub refuses, with the strict and the lenient bound. The README's "Differences from IoT Hub" lists
// the same entries (test/unit/readme/differences.test.ts checks both lists agree).

/** What the hub enforces in a mode. */
export interface Leniency {
  /** Largest device-to-cloud message body (MQTT, AMQP, HTTPS). IoT Hub: 256 KB. */
  readonly maxD2cBodyBytes: number;
  /** Largest MQTT packet a device may send; lenient raises it so the larger messages fit (absent: the wire limit). */
  readonly mqttMaxPacketBytes?: number;
  /** Resource Manager requests (`/subscriptions/…`) without `api-version`: refused (400) when false. */
  readonly armApiVersionOptional: boolean;
}

/** Lenient mode's larger device-to-cloud bound: 1 MiB (four times IoT Hub's 256 KB). */
export const LENIENT_D2C_BODY_BYTES = 1024 * 1024;

/** IoT Hub's own behaviour. */
export const STRICT: Leniency = { maxD2cBodyBytes: MAX_D2C_BODY_BYTES, armApiVersionOptional: false };

/** What lenient mode accepts beyond IoT Hub. */
export const LENIENT = { maxD2cBodyBytes: LENIENT_D2C_BODY_BYTES, mqttMaxPacketBytes: LENIENT_D2C_BODY_BYTES + 64 * 1024, armApiVersionOptional: true } as const satisfies Leniency;

/** Every leniency, as the README lists it (`id` is the key the README test looks for). */
export const LENIENCIES: readonly { readonly id: string; readonly strict: string; readonly lenient: string }[] = [
  { id: 'd2c-size', strict: 'device-to-cloud messages up to 256 KB (413 MessageTooLarge above)', lenient: 'up to 1 MiB' },
  { id: 'arm-api-version', strict: 'Resource Manager requests without api-version get 400 MissingApiVersionParameter', lenient: 'accepted' },
];

/** The mode's bounds. */
export function leniencyOf(lenient: boolean): Leniency {
  return lenient ? LENIENT : STRICT;
}
