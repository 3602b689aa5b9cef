/** Decoded properties of a device-to-cloud or cloud-to-device message (iothub-protocol.md §6.1). */
export interface MessageProperties {
  /** System properties by short name without `$.` (`mid`, `cid`, `ct`, `ce`, …). */
  readonly system: Record<string, string>;
  /** Application properties; a key without `=` has the value null. */
  readonly application: Record<string, string | null>;
}
