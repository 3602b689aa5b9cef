import { describe, expect, it } from 'vitest';

import { childrenOf, contentOf, encodeElement, readElement } from '../../../../emulator/certs/der.js';

describe('DER helpers', () => {
  it.each([0, 1, 127, 128, 255, 256, 70_000])('round-trips a %i-byte content', (length) => {
    const content = Buffer.alloc(length, 7);
    const encoded = encodeElement(0x04, content);
    const element = readElement(encoded, 0);
    expect(element.tag).toBe(0x04);
    expect(element.end).toBe(encoded.length);
    expect(contentOf(encoded, element).equals(content)).toBe(true);
  });

  it('lists the children of a sequence', () => {
    const sequence = encodeElement(0x30, Buffer.concat([encodeElement(0x02, Buffer.from([1])), encodeElement(0x04, Buffer.alloc(200))]));
    const children = childrenOf(sequence, readElement(sequence, 0));
    expect(children.map((child) => child.tag)).toEqual([0x02, 0x04]);
  });

  it('throws on truncated input', () => {
    const encoded = encodeElement(0x04, Buffer.alloc(300));
    expect(() => readElement(encoded.subarray(0, 100), 0)).toThrow(/overruns/);
    expect(() => readElement(Buffer.from([0x30]), 0)).toThrow(/truncated/);
  });
});
