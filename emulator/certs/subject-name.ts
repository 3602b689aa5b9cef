import { childrenOf, readElement } from './der.js';

/** DER of the OID 2.5.4.3 (commonName), tag and length included. */
const COMMON_NAME_OID = Buffer.from([0x06, 0x03, 0x55, 0x04, 0x03]);

/** String types an AttributeValue may use, and how their bytes decode. */
const STRING_DECODERS: Readonly<Record<number, (bytes: Buffer) => string>> = {
  0x0c: (bytes) => bytes.toString('utf8'), // UTF8String
  0x13: (bytes) => bytes.toString('latin1'), // PrintableString
  0x14: (bytes) => bytes.toString('latin1'), // TeletexString (T61), read as Latin-1 as OpenSSL does
  0x16: (bytes) => bytes.toString('latin1'), // IA5String
  0x1e: (bytes) => bytes.swap16().toString('utf16le'), // BMPString (big-endian UCS-2)
};

/**
 * The subject common name (CN) of a DER certificate, read from the DER itself. Node's `X509Certificate.subject` is
 * a display string that loses text after `,` or `+` (`CN=a,b` shows as `CN=a`), and device ids may contain both.
 * Undefined when the subject has no CN or uses an unknown string type; with several CNs, the last one (the most
 * specific, as OpenSSL's hostname checks take it).
 */
export function commonNameOf(der: Buffer): string | undefined {
  try {
    const certificate = readElement(der, 0);
    const [tbs] = childrenOf(der, certificate);
    if (!tbs) return undefined;
    const fields = childrenOf(der, tbs);
    // version [0] is optional; then serial, signature, issuer, validity, subject.
    const offset = fields[0]?.tag === 0xa0 ? 1 : 0;
    const subject = fields[offset + 4];
    if (!subject) return undefined;
    let found: string | undefined;
    for (const set of childrenOf(der, subject)) {
      for (const attribute of childrenOf(der, set)) {
        const [type, value] = childrenOf(der, attribute);
        if (!type || !value || !der.subarray(type.start, type.end).equals(COMMON_NAME_OID)) continue;
        const decode = STRING_DECODERS[value.tag];
        found = decode ? decode(Buffer.from(der.subarray(value.contentStart, value.end))) : undefined;
      }
    }
    return found;
  } catch {
    return undefined;
  }
}
