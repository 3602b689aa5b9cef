/**
 * A CA certificate registered on the hub (iothub-protocol-2.md §1.3): the management-plane resource
 * `…/IotHubs/{hub}/certificates/{name}` that `certificateAuthority` devices chain to. Replaced, never mutated.
 */
export interface CaCertificateRecord {
  /** Resource name (1-64 of letters, digits, `-`, `_`, `.`). */
  readonly name: string;
  /** The certificate as PEM (uploads in base64 DER are stored as PEM). */
  readonly certificate: string;
  /** Subject as the hub shows it (`CN=…`). */
  readonly subject: string;
  /** SHA-1 thumbprint, upper-case hex. */
  readonly thumbprint: string;
  /** Not-after date, ISO 8601 (the wire shows it as RFC 1123). */
  readonly expiry: string;
  /** True once proof of possession succeeded, or when uploaded with `isVerified: true`. */
  readonly isVerified: boolean;
  readonly created: string;
  readonly updated: string;
  /** Changes on every write (upload, new verification code, verify). */
  readonly etag: string;
  /** The challenge of the last `generateVerificationCode`, until `verify` uses it; null otherwise. */
  readonly verificationCode: string | null;
}
