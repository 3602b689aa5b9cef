/**
 * Just enough DER (X.690) to walk a certificate's top-level structure and re-assemble it: single-byte tags,
 * definite lengths up to 4 length bytes. Used only on certificates this module generated or loaded from its own
 * directory; malformed input throws (certificate setup is not a hot path).
 */

/** One tag-length-value element located inside a buffer. */
export interface DerElement {
  tag: number;
  /** Offset of the tag byte. */
  start: number;
  /** Offset of the first content byte. */
  contentStart: number;
  /** Offset just past the last content byte. */
  end: number;
}

/** Reads the element whose tag byte is at `offset`. */
export function readElement(buffer: Uint8Array, offset: number): DerElement {
  const tag = byteAt(buffer, offset);
  const first = byteAt(buffer, offset + 1);
  let length = first;
  let contentStart = offset + 2;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count === 0 || count > 4) throw new Error(`DER: unsupported length form at offset ${offset}`);
    length = 0;
    for (let i = 0; i < count; i += 1) length = length * 256 + byteAt(buffer, offset + 2 + i);
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > buffer.length) throw new Error(`DER: element at offset ${offset} overruns the buffer`);
  return { tag, start: offset, contentStart, end };
}

/** The elements directly inside a constructed element (SEQUENCE, SET, explicit tag). */
export function childrenOf(buffer: Uint8Array, parent: DerElement): DerElement[] {
  const children: DerElement[] = [];
  let offset = parent.contentStart;
  while (offset < parent.end) {
    const child = readElement(buffer, offset);
    children.push(child);
    offset = child.end;
  }
  if (offset !== parent.end) throw new Error(`DER: children of the element at ${parent.start} overrun it`);
  return children;
}

/** The whole encoding (tag, length and content) of an element. */
export function rawOf(buffer: Buffer, element: DerElement): Buffer {
  return buffer.subarray(element.start, element.end);
}

/** The content bytes of an element. */
export function contentOf(buffer: Buffer, element: DerElement): Buffer {
  return buffer.subarray(element.contentStart, element.end);
}

/** Encodes one element from a tag and its content. */
export function encodeElement(tag: number, content: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
}

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function byteAt(buffer: Uint8Array, offset: number): number {
  const value = buffer[offset];
  if (value === undefined) throw new Error(`DER: truncated at offset ${offset}`);
  return value;
}

/** DER tags used by the certificate code. */
export const DerTag = {
  OctetString: 0x04,
  BitString: 0x03,
  ObjectIdentifier: 0x06,
  Sequence: 0x30,
  /** `[3]` EXPLICIT, the TBSCertificate extensions wrapper. */
  ExtensionsWrapper: 0xa3,
  /** `[0]` IMPLICIT primitive, AuthorityKeyIdentifier.keyIdentifier. */
  ContextPrimitive0: 0x80,
} as const;
