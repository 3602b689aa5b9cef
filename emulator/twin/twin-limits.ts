/** Twin content limits (iothub-protocol.md §7.3 and §10). */
export const TWIN_LIMITS = {
  /** Maximum key length in UTF-8 bytes. */
  maxKeyBytes: 1024,
  /** Maximum string value length in UTF-8 bytes. */
  maxStringBytes: 4096,
  /** Nested objects allowed below the section root (depth 10 accepted, 11 rejected). */
  maxDepth: 10,
  /** Largest integer magnitude accepted (2^52 - 1). */
  maxSafeInteger: 4503599627370495,
  minSafeInteger: -4503599627370496,
  /** Section size limits in bytes, counted as in §7.3. */
  maxTagsBytes: 8 * 1024,
  maxDesiredBytes: 32 * 1024,
  maxReportedBytes: 32 * 1024,
} as const;
