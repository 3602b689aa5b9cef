/**
 * Percent-decoding helpers for the auth edge (SAS fields, MQTT username pairs).
 *
 * `decodeURIComponent` throws on a malformed escape; on the MQTT hot path a bad username must produce a refusal,
 * never an exception (house-style H8), so both helpers here are total.
 */

/** A run of one or more `%XX` escapes; decoded as a unit so multi-byte UTF-8 sequences stay together. */
const ESCAPE_RUN = /(?:%[0-9A-Fa-f]{2})+/g;

/**
 * Decodes `%XX` escapes (upper- or lower-case hex) and leaves everything else as sent. A stray `%`, or an escape
 * run that is not valid UTF-8, is kept as raw text instead of throwing. `+` is not treated as a space: none of the
 * SDKs form-encode, and `+` is a literal character in base64 and in module ids.
 */
export function decodePercentLenient(text: string): string {
  if (!text.includes('%')) return text;
  return text.replace(ESCAPE_RUN, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

/** Result of {@link decodePercentStrict}. */
export type PercentDecodeResult = { ok: true; value: string } | { ok: false; error: string };

/**
 * Decodes `%XX` escapes and reports (rather than throws on) a malformed escape or invalid UTF-8. Used for SAS
 * fields, where a token we cannot read exactly must be refused.
 */
export function decodePercentStrict(text: string): PercentDecodeResult {
  if (!text.includes('%')) return { ok: true, value: text };
  try {
    return { ok: true, value: decodeURIComponent(text) };
  } catch {
    return { ok: false, error: 'malformed percent-encoding' };
  }
}
